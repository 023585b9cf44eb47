import path from 'node:path';
import type { CleanRawLogsInput, CleanRawLogsOutput, CleaningAccounting } from '../common/contracts';
import { badInput } from '../lib/bad-input';
import { produceAtomically } from '../lib/atomic-write';
import { listValue } from '@duckdb/node-api';
import { openDuckDB, queryRows, runSqlFile } from '../lib/duckdb';
import { runStepOnce } from '../lib/run-dir';
import { heartbeat } from '../lib/activity-progress';
import { adapterFor } from './formats';

/**
 * Cleans a drop into the run's DuckDB file (run.duckdb): events_clean, quarantine (reasoned),
 * sequences, accounting. The database is built under a temporary name and renamed when complete.
 */
export async function cleanRawLogs(input: CleanRawLogsInput): Promise<CleanRawLogsOutput> {
  return runStepOnce(input.runDir, 'clean', async () => {
    const databasePath = path.join(input.runDir, 'run.duckdb');
    const accounting = await produceAtomically(databasePath, async (temporaryPath) => {
      const database = await openDuckDB(temporaryPath, {
        threads: input.config.duckdbThreads,
        memoryLimit: input.config.duckdbMemoryLimit,
        tempDirectory: path.join(input.runDir, 'duckdb-tmp'),
      });
      try {
        const { connection } = database;
        try {
          await runSqlFile(connection, adapterFor(input.format).sqlFile, { files: listValue(input.files) });
        } catch (error) {
          throw badInput(`cannot read ${input.files.join(', ')} as ${input.format}: ${(error as Error).message}`);
        }
        heartbeat('staged');
        await runSqlFile(connection, 'clean/clean_events.sql');
        heartbeat('cleaned');
        await runSqlFile(connection, 'sequences/build_sequences.sql', {
          session_gap_s: input.config.sessionGapMinutes * 60,
          max_sequence_length: input.config.maxSequenceLength,
          min_events_per_user: input.config.minEventsPerUser,
        });
        return await readAccounting(connection, input.files);
      } finally {
        database.close();
      }
    });
    return { databasePath, accounting };
  });
}

async function readAccounting(connection: Parameters<typeof queryRows>[0], files: string[]): Promise<CleaningAccounting> {
  const [totals] = await queryRows(connection, 'SELECT * FROM accounting');
  const reasons = await queryRows(connection, 'SELECT reason, count(*) AS n FROM quarantine GROUP BY reason ORDER BY reason');
  const [sequenced] = await queryRows(connection, 'SELECT count(*) AS n FROM sequences');
  const accounting: CleaningAccounting = {
    rawRows: Number(totals.raw_rows),
    cleanedRows: Number(totals.cleaned_rows),
    quarantinedRows: Number(totals.quarantined_rows),
    duplicateRows: Number(totals.duplicate_rows),
    quarantineByReason: Object.fromEntries(reasons.map((row) => [String(row.reason), Number(row.n)])),
    users: Number(totals.users),
    sequencedUsers: Number(sequenced.n),
  };
  if (accounting.rawRows !== accounting.cleanedRows + accounting.quarantinedRows + accounting.duplicateRows) {
    throw new Error(`row accounting does not add up: ${JSON.stringify(accounting)}`);
  }
  if (accounting.rawRows === 0) {
    throw badInput(`${files.join(', ')}: no data rows (header only?); expected at least one event`);
  }
  if (accounting.cleanedRows === 0) {
    const examples = await queryRows(
      connection,
      'SELECT source_file, coalesce(line, drop_row) AS row_number, detail FROM quarantine ORDER BY source_file, drop_row, line LIMIT 3',
    );
    const shown = examples.map((row) => `${row.source_file} row ${row.row_number}: ${row.detail}`).join('; ');
    throw badInput(
      `${files.join(', ')}: every one of ${accounting.rawRows} rows was rejected ` +
        `(${JSON.stringify(accounting.quarantineByReason)}), e.g. ${shown}`,
    );
  }
  if (accounting.sequencedUsers < 2) {
    throw badInput(`${files.join(', ')}: only ${accounting.sequencedUsers} user(s) have enough events to segment (minEventsPerUser)`);
  }
  return accounting;
}
