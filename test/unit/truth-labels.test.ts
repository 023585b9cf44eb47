import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTruthLabels } from '../../activities/evaluation/external';
import { openDuckDB } from '../../lib/runtime/duckdb';
import { freshDataDir } from '../helpers/pipeline-harness';

describe('truth labels', () => {
  it('read a CSV or Parquet file by a bound path, whatever characters the path holds', async () => {
    // A quote and a semicolon: pasted into SQL unescaped, this path would break the statement.
    const dir = path.join(freshDataDir('truth-labels'), "o'brien; labels");
    fs.mkdirSync(dir);
    const csv = path.join(dir, 'truth.csv');
    fs.writeFileSync(csv, 'user_id,segment\nu1,b\nu2,a\nu3,b\n,a\n');
    const database = await openDuckDB(':memory:');
    try {
      const fromCsv = await readTruthLabels(database.connection, csv);
      // Text labels become integers in label order; a row without a user is left out.
      expect(Object.fromEntries(fromCsv)).toEqual({ u1: 1, u2: 0, u3: 1 });
      const parquet = path.join(dir, 'truth.parquet');
      await database.connection.run(`COPY (SELECT 'u9' AS user_id, 7 AS label) TO '${parquet.replaceAll("'", "''")}' (FORMAT parquet)`);
      expect(Object.fromEntries(await readTruthLabels(database.connection, parquet))).toEqual({ u9: 0 });
    } finally {
      database.close();
    }
  });
});
