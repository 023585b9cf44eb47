import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLEANING_CHECKS, cleanInto } from '../../activities/clean-logs';
import { inspectDrop } from '../../activities/inspect-drop';
import { CANONICAL_EVENT_TYPES } from '../../activities/ingest/mapping';
import { resolveRunConfig } from '../../common/run-config';
import { checkColumns, readColumnChecks, runColumnChecks, type ColumnChecks } from '../../lib/runtime/column-checks';
import { openDuckDB } from '../../lib/runtime/duckdb';
import { projectPath } from '../../lib/paths';
import { freshDataDir } from '../helpers/pipeline-harness';

// id: a dense integer (unique counted with a bitmap); code: text (unique counted with DISTINCT).
const HAND_MADE_CHECKS: ColumnChecks = {
  events: {
    id: ['unique', 'not_null'],
    code: ['unique'],
    kind: [{ accepted_values: ['view', 'cart'] }],
    user_id: ['not_null'],
  },
};

async function withHandMadeTable(rows: string, body: (run: () => Promise<void>) => Promise<void>): Promise<void> {
  const database = await openDuckDB(':memory:');
  try {
    await database.connection.run(`CREATE TABLE events (id INTEGER, code VARCHAR, kind VARCHAR, user_id VARCHAR); INSERT INTO events VALUES ${rows}`);
    await body(() => checkColumns(database.connection, HAND_MADE_CHECKS, 'hand-made checks'));
  } finally {
    database.close();
  }
}

describe('column checks', () => {
  it('pass on a table that meets them (NULLs are neither duplicates nor unknown values)', async () => {
    await withHandMadeTable("(1, 'x', 'view', 'a'), (2, NULL, 'cart', 'b'), (3, NULL, NULL, 'c'), (1000, 'y', 'view', 'd')", async (run) => {
      await expect(run()).resolves.toBeUndefined();
    });
  });

  it('fail naming the table, column, check and offending values of every violated check', async () => {
    await withHandMadeTable(
      "(1, 'x', 'view', 'a'), (2, 'x', 'view', NULL), (2, 'x', 'teleport', 'b'), (3, 'y', 'jump', 'c'), (3, 'z', 'jump', 'd'), (4, 'y', NULL, 'e')",
      async (run) => {
        const error = await run().then(() => undefined, (caught: Error) => caught);
        expect(error?.message.split('\n')).toEqual([
          'column checks of hand-made checks failed:',
          'events.id unique: 2 duplicate rows, e.g. "2" (2 rows), "3" (2 rows)',
          'events.code unique: 3 duplicate rows, e.g. "x" (3 rows), "y" (2 rows)',
          'events.kind accepted_values [view, cart]: 3 rows with other values, e.g. "jump" (2 rows), "teleport" (1 row)',
          'events.user_id not_null: 1 row with NULL. This is a bug: please report it with this message and the input',
        ]);
        // Cleaning broke its own contract: no retry helps.
        expect(error).toMatchObject({ type: 'InternalInvariantError', nonRetryable: true });
      },
    );
  });

  it('of the cleaned tables catch a corrupted events_clean', async () => {
    const runDir = freshDataDir('column-checks');
    const source = projectPath('data', 'sample', 'rees46-2019-oct-sample.csv');
    const inspected = await inspectDrop({ runDir, source, mappingFile: '' });
    const databaseFile = path.join(runDir, 'run.duckdb');
    await cleanInto(databaseFile, { runDir, files: inspected.files, pinned: inspected.pinned, format: inspected.format, delimiter: inspected.delimiter, config: resolveRunConfig() });
    const database = await openDuckDB(databaseFile);
    try {
      const { connection } = database;
      for (const checks of CLEANING_CHECKS) await expect(runColumnChecks(connection, checks)).resolves.toBeUndefined();
      await connection.run(`UPDATE events_clean SET drop_row = 1 WHERE drop_row = (SELECT min(drop_row) FROM events_clean WHERE drop_row > 1);
        UPDATE events_clean SET event_type = 'teleport' WHERE drop_row = (SELECT max(drop_row) FROM events_clean)`);
      await expect(runColumnChecks(connection, 'clean/clean_events.checks.json')).rejects.toThrow(
        /sql\/clean\/clean_events\.checks\.json failed:\nevents_clean\.event_type accepted_values \[view, .*\]: 1 row with other values, e\.g\. "teleport" \(1 row\)\nevents_clean\.drop_row unique: 1 duplicate row, e\.g\. "1" \(2 rows\)\. This is a bug/,
      );
    } finally {
      database.close();
    }
  });

  it('accept exactly the canonical event types, and are documented in docs/DATA-CONTRACTS.md as they are', () => {
    const docs = fs.readFileSync(projectPath('docs', 'DATA-CONTRACTS.md'), 'utf8');
    for (const file of CLEANING_CHECKS) {
      for (const [table, columns] of Object.entries(readColumnChecks(file))) {
        const withTest = (name: 'unique' | 'not_null') => Object.keys(columns).filter((column) => columns[column].includes(name)).join(', ');
        const accepted = Object.entries(columns).flatMap(([column, tests]) => tests.flatMap((test) => (typeof test === 'object' ? [[column, test.accepted_values] as const] : [])));
        for (const [column, values] of accepted) {
          if (column === 'event_type') expect(values).toEqual([...CANONICAL_EVENT_TYPES]);
        }
        const row = `| \`${table}\` | ${withTest('unique')} | ${withTest('not_null')} | ${accepted.map(([column, values]) => `${column}: ${values.join(', ')}`).join('; ')} |`;
        expect(docs, `${file}: ${table}`).toContain(row);
      }
    }
  });
});
