import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDuckDB } from '../../lib/runtime/duckdb';
import { freshDataDir } from '../helpers/pipeline-harness';

describe('a DuckDB spill directory whose parent does not exist yet', () => {
  // At 1M users, scoring spilled to <run>/duckdb-tmp/evaluate-<candidate> before anything had made
  // <run>/duckdb-tmp, and failed with "IO Error: Failed to create directory" (only when it spilled).
  it('is usable: a query larger than the memory limit spills there and succeeds', async () => {
    const spill = path.join(freshDataDir('duckdb-spill'), 'duckdb-tmp', 'evaluate-candidate');
    const database = await openDuckDB(':memory:', { memoryLimit: '64MB', threads: 1, tempDirectory: spill });
    try {
      const reader = await database.connection.runAndReadAll(
        "SELECT count(*) AS n FROM (SELECT i, md5(i::VARCHAR) || repeat('x', 40) AS s FROM range(2000000) t(i) ORDER BY s OFFSET 1)");
      expect(reader.getRowObjectsJS()[0]).toEqual({ n: 1_999_999n });
      expect(fs.existsSync(path.dirname(spill))).toBe(true);
    } finally {
      database.close();
    }
  });
});
