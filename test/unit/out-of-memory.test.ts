import { describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { openDuckDB } from '../../lib/runtime/duckdb';
import { duckdbShare, sizeInBytes } from '../../lib/runtime/duckdb-budget';
import { outOfMemoryFailure } from '../../lib/runtime/out-of-memory';

describe('DuckDB memory: split between concurrent activities, and an out-of-memory error fails at once naming the limit', () => {
  it('splits duckdbMemoryLimit and the threads between the activities that run at once', () => {
    expect(sizeInBytes('4GB')).toBe(4e9);
    expect(sizeInBytes('512 MiB')).toBe(512 * 2 ** 20);
    expect(duckdbShare({ duckdbMemoryLimit: '4GB', duckdbThreads: 8 }, 4)).toEqual({ memoryLimit: '953MiB', threads: 2 });
    expect(duckdbShare({ duckdbMemoryLimit: '4GB', duckdbThreads: 2 }, 4, '/tmp/x')).toEqual({ memoryLimit: '953MiB', threads: 1, tempDirectory: '/tmp/x' });
    expect(duckdbShare({ duckdbMemoryLimit: '1GiB', duckdbThreads: 3 })).toEqual({ memoryLimit: '1024MiB', threads: 3 });
  });

  it('a query that does not fit a tiny duckdbMemoryLimit: a non-retryable ResourceLimitError naming duckdbMemoryLimit and the step', async () => {
    const config = { duckdbMemoryLimit: '8MB', duckdbThreads: 1, sweepConcurrency: 4 };
    const database = await openDuckDB(':memory:', duckdbShare(config, config.sweepConcurrency));
    let error: unknown;
    try {
      // A grouped list aggregate cannot spill: it must hold every group's list at once.
      await database.connection.run('SELECT i % 100000 AS g, list(i) FROM range(3000000) AS t(i) GROUP BY g');
    } catch (thrown) {
      error = thrown;
    } finally {
      database.close();
    }
    expect(String(error)).toMatch(/Out of Memory Error/);
    const failure = outOfMemoryFailure(error, 'scoreCandidate', config);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'ResourceLimitError', nonRetryable: true });
    expect((failure as ApplicationFailure).message).toMatch(/^scoreCandidate ran out of DuckDB memory: .*duckdbMemoryLimit \(8MB\).*raise duckdbMemoryLimit, or lower sweepConcurrency \(4\)/);
  });

  it('a JavaScript allocation failure names the heap; any other error is left alone (retried as before)', () => {
    const failure = outOfMemoryFailure(new RangeError('Array buffer allocation failed'), 'clusterCandidate');
    expect(failure).toMatchObject({ type: 'ResourceLimitError', nonRetryable: true });
    expect((failure as ApplicationFailure).message).toMatch(/max-old-space-size/);
    const other = new Error('ECONNRESET');
    expect(outOfMemoryFailure(other, 'cleanRawLogs')).toBe(other);
  });
});
