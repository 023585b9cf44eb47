import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLEANING_CHECKS, cleanRawLogs } from '../../activities/clean-logs';
import { inspectDrop } from '../../activities/inspect-drop';
import { resolveRunConfig } from '../../common/run-config';
import { readColumnChecks, runColumnChecks } from '../../lib/runtime/column-checks';
import { openDuckDB } from '../../lib/runtime/duckdb';
import { projectPath } from '../../lib/paths';
import { query } from '../helpers/duckdb-query';
import { freshDataDir } from '../helpers/pipeline-harness';

const DATASETS = path.resolve(projectPath(), '..', 'shared', 'datasets');

/** Data lines of a CSV: all lines minus the header (if any); a last line without newline counts. */
function dataLines(file: string, hasHeader: boolean): number {
  const text = fs.readFileSync(file, 'utf8');
  const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
  return lines - (hasHeader ? 1 : 0);
}

const cases = [
  { name: 'rees46-cosmetics-sample', format: 'rees46', header: true },
  { name: 'taobao-userbehavior-2h', format: 'taobao', header: false },
  { name: 'taobao-userbehavior-long', format: 'taobao', header: false },
] as const;

/** Cleaning ran the column checks already; run them again here, so a pass is visible, not implied. */
async function expectColumnChecksPass(databasePath: string): Promise<void> {
  const database = await openDuckDB(databasePath);
  try {
    for (const file of CLEANING_CHECKS) {
      expect(Object.keys(readColumnChecks(file)).length).toBeGreaterThan(0);
      await expect(runColumnChecks(database.connection, file)).resolves.toBeUndefined();
    }
  } finally {
    database.close();
  }
}

describe('cleaning the real datasets in ../shared/datasets: every raw row is accounted for', () => {
  for (const dataset of cases) {
    it(dataset.name, async () => {
      const runDir = freshDataDir(`clean-${dataset.name}`);
      const inspected = await inspectDrop({ runDir, source: path.join(DATASETS, dataset.name), mappingFile: '' });
      expect(inspected.format).toBe(dataset.format);
      const { accounting, databasePath } = await cleanRawLogs({ runDir, files: inspected.files, pinned: inspected.pinned, format: inspected.format, delimiter: inspected.delimiter, config: resolveRunConfig() });
      const expectedRaw = inspected.files.reduce((sum, file) => sum + dataLines(file, dataset.header), 0);
      expect(accounting.rawRows).toBe(expectedRaw);
      expect(accounting.cleanedRows + accounting.quarantinedRows + accounting.duplicateRows).toBe(expectedRaw);
      const [stored] = await query(`ATTACH '${databasePath}' AS run (READ_ONLY); SELECT (SELECT count(*) FROM run.events_clean) AS clean, (SELECT count(*) FROM run.quarantine WHERE reason IS NOT NULL AND detail IS NOT NULL) AS quarantined`);
      expect(stored).toEqual({ clean: accounting.cleanedRows, quarantined: accounting.quarantinedRows });
      await expectColumnChecksPass(databasePath);
    });
  }

  it('keeps 19-digit ids exact and strips float suffixes from whole-number ids', async () => {
    const runDir = freshDataDir('clean-ids');
    const source = path.join(DATASETS, 'rees46-cosmetics-sample');
    const inspected = await inspectDrop({ runDir, source, mappingFile: '' });
    const { databasePath } = await cleanRawLogs({ runDir, files: inspected.files, pinned: inspected.pinned, format: inspected.format, delimiter: inspected.delimiter, config: resolveRunConfig() });
    const rows = await query(`ATTACH '${databasePath}' AS run (READ_ONLY);
      SELECT count(*) FILTER (WHERE user_id LIKE '%.%') AS float_user_ids,
             count(*) FILTER (WHERE category_id = '1487580005134238553') AS exact_category_ids FROM run.events_clean`);
    expect(rows[0].float_user_ids).toBe(0);
    expect(rows[0].exact_category_ids as number).toBeGreaterThan(0);
  });

  it('quarantines the truncated last line of taobao-userbehavior-long with its line number', async () => {
    const runDir = freshDataDir('clean-truncated');
    const source = path.join(DATASETS, 'taobao-userbehavior-long', 'UserBehavior.csv');
    const inspected = await inspectDrop({ runDir, source, mappingFile: '' });
    const { accounting, databasePath } = await cleanRawLogs({ runDir, files: inspected.files, pinned: inspected.pinned, format: inspected.format, delimiter: inspected.delimiter, config: resolveRunConfig() });
    expect(accounting.quarantineByReason).toEqual({ malformed_line: 1 });
    const [row] = await query(`ATTACH '${databasePath}' AS run (READ_ONLY); SELECT source_file, line, detail FROM run.quarantine`);
    expect(row.line).toBe(84476);
    expect(row.source_file).toBe(source);
    expect(String(row.detail)).toContain('Expected Number of Columns: 5 Found: 4');
  });
});
