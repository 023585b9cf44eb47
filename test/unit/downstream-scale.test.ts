import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanRawLogs } from '../../activities/clean-logs';
import { inspectDrop } from '../../activities/inspect-drop';
import { shardUsers } from '../../activities/shard-users';
import { downstreamValue, type DownstreamOptions } from '../../activities/evaluation/downstream';
import { createSegmentsTable } from '../../activities/evaluation/segments-table';
import { resolveRunConfig } from '../../common/run-config';
import { queryRows } from '../../lib/runtime/duckdb';
import { projectPath } from '../../lib/paths';
import { withRunDatabase } from '../../lib/runtime/run-database';
import { referenceDownstreamValue } from '../helpers/downstream-reference';
import { freshDataDir } from '../helpers/pipeline-harness';

const SOURCE = path.resolve(projectPath(), '..', 'shared', 'datasets', 'rees46-cosmetics-sample');

/**
 * The downstream evaluation computes its metrics from hit ranks in SQL and caches the
 * segmentation-independent tables per run (issue 16); the values must be those of the old
 * implementation (test/helpers/downstream-reference.ts) to the last bit, on a real dataset.
 */
describe('downstream value at scale: the same numbers as the reference implementation', () => {
  it('on the REES46 cosmetics sample, fully scored, screened, and from the cached inputs', async () => {
    const runDir = freshDataDir('downstream-scale');
    const inspected = await inspectDrop({ runDir, source: SOURCE, mappingFile: '' });
    await cleanRawLogs({ runDir, files: inspected.files, pinned: inspected.pinned, format: inspected.format, delimiter: inspected.delimiter, config: resolveRunConfig() });
    await shardUsers({ runDir, config: resolveRunConfig() });
    const base: DownstreamOptions = { ks: [5, 10, 20], excludeSeen: true, bootstrapSamples: 200, folds: 5, seed: 7 };
    const cached: DownstreamOptions = { ...base, inputsCache: path.join(runDir, 'downstream-inputs'), baselineMadeFrom: 'cleaning-seal' };
    const evaluate = (scorer: typeof downstreamValue, options: DownstreamOptions) => withRunDatabase(runDir, 'read-only', {}, async ({ connection }) => {
      const userIds = (await queryRows(connection, 'SELECT user_id FROM run.sequences ORDER BY user_id')).map((row) => String(row.user_id));
      // Any labelling will do; five segments of interleaved users keep every segment populated.
      await createSegmentsTable(connection, userIds, Int32Array.from(userIds, (_, i) => i % 5));
      return (await scorer(connection, options))?.summary;
    });
    const reference = await evaluate(referenceDownstreamValue, base);
    expect(reference?.users).toBeGreaterThan(100);
    expect(reference?.nextPurchase).not.toBeNull();
    expect(await evaluate(downstreamValue, base)).toEqual(reference);
    expect(await evaluate(downstreamValue, cached)).toEqual(reference); // writes the cache
    expect(await evaluate(downstreamValue, cached)).toEqual(reference); // reads it
    // The random baseline drawn for a few users at a time: the same lists.
    expect(await evaluate(downstreamValue, { ...base, randomBatchUsers: 97 })).toEqual(reference);
    // Seen items kept in the lists: no exclusion at all.
    const keepSeen = { ...base, excludeSeen: false };
    expect(await evaluate(downstreamValue, keepSeen)).toEqual(await evaluate(referenceDownstreamValue, keepSeen));
    const screened = { ...base, screenUsers: 150 };
    const screenReference = await evaluate(referenceDownstreamValue, screened);
    expect(screenReference?.validation?.users).toBe(150);
    expect(await evaluate(downstreamValue, { ...cached, screenUsers: 150 })).toEqual(screenReference);
    // Again: the second screen of a run reuses the first one's sample of users (picked once per process).
    expect(await evaluate(downstreamValue, { ...cached, screenUsers: 150 })).toEqual(screenReference);

    // downstreamMaxUsers: at or above the evaluated users nothing changes; below, a seeded sample
    // of that many is evaluated, the same every time and with or without the cached inputs.
    expect(await evaluate(downstreamValue, { ...cached, maxUsers: reference!.users })).toEqual(reference);
    const sampled = await evaluate(downstreamValue, { ...cached, maxUsers: 300 });
    expect(sampled?.users).toBe(300);
    expect(sampled?.sampledFrom).toBe(reference!.users);
    expect(sampled!.validation!.users + sampled!.test!.users).toBe(300);
    expect(sampled?.nextPurchase?.users).toBe(300);
    expect(sampled?.lift.ndcg10).not.toEqual(reference?.lift.ndcg10);
    expect(await evaluate(downstreamValue, { ...base, maxUsers: 300 })).toEqual(sampled);
  }, 120_000);
});
