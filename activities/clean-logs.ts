import type { DuckDBConnection } from '@duckdb/node-api';
import type { CleanRawLogsInput, CleanRawLogsOutput, CleaningAccounting } from '../common/contracts';
import { resultSettings, type IngestConfig, type RuntimeConfig } from '../common/run-config';
import { badInput, internalInvariantError } from '../common/errors';
import { produceAtomically } from '../lib/runtime/atomic-write';
import { runColumnChecks } from '../lib/runtime/column-checks';
import { openDuckDB, queryRows, runSqlFile } from '../lib/runtime/duckdb';
import { duckdbShare } from '../lib/runtime/duckdb-budget';
import { runStepOnce } from '../lib/runtime/run-dir';
import { runFiles, runSteps } from '../common/run-layout';
import { heartbeat } from '../lib/runtime/activity-progress';
import { mappingFor } from './ingest/mapping';
import { stageEvents } from './ingest/raw-source';
import { changedSince } from '../lib/runtime/file-identity';

/**
 * Cleans a drop into the run's DuckDB file (run.duckdb): events_clean, quarantine (reasoned),
 * holdout_events, user_summaries (with each sequenced user's shard), accounting. The database is
 * built under a temporary name and renamed when complete, so a failed or half-finished clean never
 * looks like a result.
 */
export async function cleanRawLogs(input: CleanRawLogsInput): Promise<CleanRawLogsOutput> {
  const step = {
    runDir: input.runDir,
    step: runSteps.clean,
    madeFrom: { files: input.pinned, format: input.format, delimiter: input.delimiter, config: resultSettings(input.config) },
    outputs: () => CLEANED_TABLES.map((table) => ({ table })),
  };
  return runStepOnce(step, async () => {
    const databasePath = runFiles.database(input.runDir);
    const accounting = await produceAtomically(databasePath, (temporaryPath) => cleanInto(temporaryPath, input));
    return { databasePath, accounting };
  });
}

/** The tables cleaning builds in run.duckdb (its checkpoint's outputs). */
const CLEANED_TABLES = ['events_clean', 'quarantine', 'holdout_events', 'user_summaries', 'accounting'];

/**
 * The column contracts of the tables cleaning builds (docs/DATA-CONTRACTS.md, "Column checks"),
 * beside the SQL files that build them.
 */
export const CLEANING_CHECKS = ['clean/clean_events.checks.json', 'clean/build_user_summaries.checks.json'];

/** The drop's files must be as inspected: a run never mixes two versions of its input, and a retry cannot help. */
async function refuseChangedFiles(pinned: CleanRawLogsInput['pinned']): Promise<void> {
  const changes = await changedSince(pinned);
  if (changes.length > 0) {
    throw badInput(
      `the drop changed since it was inspected (${changes.join('; ')}); a drop must be complete before it is triggered. ` +
        'Trigger it again once it is complete: its files are inspected again',
    );
  }
}

/** The cleaning itself, into any database file (also used by `client validate`). */
export async function cleanInto(databaseFile: string, input: CleanRawLogsInput): Promise<CleaningAccounting> {
  const { config } = input;
  const database = await openDuckDB(databaseFile, duckdbShare(config, 1, runFiles.duckdbTemp(input.runDir)));
  try {
    const { connection } = database;
    const mapping = mappingFor(input.format, config.mappingFile);
    // Before and after reading: a file that changed in between would mix two versions of the drop.
    await refuseChangedFiles(input.pinned);
    try {
      await stageEvents(connection, mapping, input.files, input.delimiter, { start: config.timeWindowStart, end: config.timeWindowEnd });
    } catch (error) {
      await refuseChangedFiles(input.pinned);
      throw badInput(`cannot read ${input.files.join(', ')} as ${mapping.name}: ${(error as Error).message}`);
    }
    await refuseChangedFiles(input.pinned);
    heartbeat('staged');
    // Staging needed file order (drop_row); from here on every order that matters is explicit
    // (drop_row, position), and unordered writes can use every thread.
    await connection.run('SET preserve_insertion_order = false');
    await runSqlFile(connection, 'clean/clean_events.sql', cleaningParams(config));
    await checkRemovedCopies(connection, input.files);
    heartbeat('cleaned');
    await summarizeUsers(connection, config);
    const accounting = await readAccounting(connection, input.files);
    for (const checks of CLEANING_CHECKS) await runColumnChecks(connection, checks);
    return accounting;
  } finally {
    database.close();
  }
}

function cleaningParams(config: IngestConfig) {
  return {
    bot_max_events_per_minute: config.botMaxEventsPerMinute,
    bot_max_views_per_session: config.botMaxViewsPerSession,
    sample_per_10000: Math.round(config.sampleUsersFraction * 10_000),
    session_gap_s: config.sessionGapMinutes * 60,
    holdout_mode: config.holdoutMode,
    holdout_last_n: config.holdoutLastN,
    holdout_cutoff: config.holdoutCutoff,
    min_events_per_user: config.minEventsPerUser,
    max_sequence_length: config.maxSequenceLength,
  };
}

/**
 * Exact duplicates are found by a 64-bit hash of the event's content and then compared field by
 * field (clean_events.sql, copy_mismatches): a collision would merge two different events, so it
 * stops the run instead.
 */
async function checkRemovedCopies(connection: DuckDBConnection, files: string[]): Promise<void> {
  const mismatches = await queryRows(connection, 'SELECT copy, kept FROM copy_mismatches ORDER BY copy LIMIT 3');
  if (mismatches.length > 0) {
    const rows = mismatches.map((pair) => `drop rows ${pair.copy} and ${pair.kept}`).join(', ');
    throw internalInvariantError(
      `duplicate detection: different events of ${files.join(', ')} share a content hash (${rows}, data rows counted from 1 across the files in order); ` +
        'to go on meanwhile, change or remove one event of each pair',
    );
  }
}

/**
 * Summary columns and each sequenced user's place (shard, row_in_shard, bucket) in user_summaries;
 * shardUsers aggregates the sequences' events from events_clean, a bucket of users at a time.
 */
async function summarizeUsers(connection: DuckDBConnection, config: IngestConfig & RuntimeConfig): Promise<void> {
  const [{ events }] = await queryRows(connection, 'SELECT count(*) AS events FROM events_clean WHERE in_sequence');
  await runSqlFile(connection, 'clean/build_user_summaries.sql', {
    min_events_per_user: config.minEventsPerUser,
    shard_count: config.shardCount,
    buckets_per_shard: Math.max(1, Math.ceil(Number(events) / config.sequenceBucketEvents / config.shardCount)),
  });
}

async function readAccounting(connection: DuckDBConnection, files: string[]): Promise<CleaningAccounting> {
  const [totals] = await queryRows(connection, 'SELECT * FROM accounting');
  const reasons = await queryRows(connection, 'SELECT reason, count(*) AS n FROM quarantine GROUP BY reason ORDER BY reason');
  const [sequenced] = await queryRows(connection, 'SELECT count(*) AS n FROM user_summaries');
  const [holdout] = await queryRows(connection, 'SELECT count(*) AS events, count(DISTINCT user_id) AS users FROM holdout_events');
  const accounting: CleaningAccounting = {
    rawRows: Number(totals.raw_rows),
    cleanedRows: Number(totals.cleaned_rows),
    quarantinedRows: Number(totals.quarantined_rows),
    duplicateRows: Number(totals.duplicate_rows),
    quarantineByReason: Object.fromEntries(reasons.map((row) => [String(row.reason), Number(row.n)])),
    users: Number(totals.users),
    sequencedUsers: Number(sequenced.n),
    holdoutEvents: Number(holdout.events),
    holdoutUsers: Number(holdout.users),
  };
  if (accounting.rawRows !== accounting.cleanedRows + accounting.quarantinedRows + accounting.duplicateRows) {
    throw internalInvariantError(
      `row accounting of ${files.join(', ')} does not add up: raw ${accounting.rawRows} != cleaned ${accounting.cleanedRows} + ` +
        `quarantined ${accounting.quarantinedRows} + duplicates ${accounting.duplicateRows} (${JSON.stringify(accounting)})`,
    );
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
  return accounting;
}
