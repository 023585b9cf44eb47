import fs from 'node:fs/promises';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { ShardRef, ShardUsersInput, ShardUsersOutput } from '../common/contracts';
import { internalInvariantError } from '../common/errors';
import { heartbeat } from '../lib/runtime/activity-progress';
import { produceAtomically } from '../lib/runtime/atomic-write';
import { loadSql, openDuckDB, queryRows, runSqlText, sqlStringLiteral } from '../lib/runtime/duckdb';
import { runStepOnce } from '../lib/runtime/run-dir';
import { openRunDatabase } from '../lib/runtime/run-database';
import { duckdbShare } from '../lib/runtime/duckdb-budget';
import { runFiles, runSteps } from '../common/run-layout';

/**
 * Writes the users' sequences into `shardCount` Parquet files (schema: docs/DATA-CONTRACTS.md),
 * aggregated from run.events_clean straight into each shard: cleaning placed every sequenced user
 * (run.user_summaries: shard by a stable hash of the user id, row_in_shard, bucket). The shard
 * directory is produced under a temporary name and renamed, so embedding never sees a partial set
 * of shards; then run.duckdb gets a `sequences` view over the shards.
 */
export async function shardUsers(input: ShardUsersInput): Promise<ShardUsersOutput> {
  const step = {
    runDir: input.runDir,
    step: runSteps.shard,
    madeFrom: { shardCount: input.config.shardCount },
    upstream: [runSteps.clean],
    outputs: (output: ShardUsersOutput) => [...output.shards.map((shard) => ({ file: shard.path })), { view: 'sequences' }],
  };
  return runStepOnce(step, async () => {
    const shardDir = runFiles.shardsDir(input.runDir);
    const { shardCount } = input.config;
    const placement = await produceAtomically(shardDir, async (temporaryDir) => {
      await fs.mkdir(temporaryDir, { recursive: true });
      const database = await openRunDatabase(input.runDir, 'read-only', duckdbShare(input.config, 1, runFiles.duckdbTemp(input.runDir)), { use: true });
      try {
        const { connection } = database;
        const byShard = await placementByShard(connection, input, shardCount);
        // Buckets are aggregated in row_in_shard order and written in shard order.
        await connection.run('SET preserve_insertion_order = true');
        for (let index = 0; index < shardCount; index++) {
          await writeShard(connection, byShard.get(index)?.buckets ?? [], path.join(temporaryDir, path.basename(runFiles.shardFile(input.runDir, index))));
          heartbeat(`shard ${index + 1}/${shardCount}`);
        }
        return byShard;
      } finally {
        database.close();
      }
    });
    const shards: ShardRef[] = [];
    for (let index = 0; index < shardCount; index++) {
      shards.push({ index, path: runFiles.shardFile(input.runDir, index), users: placement.get(index)?.users ?? 0 });
    }
    await addSequencesView(runFiles.database(input.runDir), shards);
    return { shards };
  });
}

/** Each shard's buckets, in order, and its users (cleaning placed them, for this shardCount). */
async function placementByShard(connection: DuckDBConnection, input: ShardUsersInput, shardCount: number) {
  const rows = await queryRows(connection, 'SELECT shard, bucket, count(*) AS users FROM user_summaries GROUP BY shard, bucket ORDER BY shard, bucket');
  const last = rows.reduce((highest, row) => Math.max(highest, Number(row.shard)), -1);
  if (last >= shardCount) {
    throw internalInvariantError(
      `${runFiles.database(input.runDir)} has users in shard ${last}, but this run's shardCount is ${shardCount}: ` +
        'cleaning places users for the shardCount in its fingerprint, so its checkpoint should have been computed again',
    );
  }
  const shards = new Map<number, { buckets: number[]; users: number }>();
  for (const row of rows) {
    const shard = shards.get(Number(row.shard)) ?? { buckets: [], users: 0 };
    shard.buckets.push(Number(row.bucket));
    shard.users += Number(row.users);
    shards.set(Number(row.shard), shard);
  }
  return shards;
}

/**
 * One bucket is written straight to the shard file. Several (large drops) are written as parts
 * and then copied into the shard in bucket order: Parquet files cannot be appended to, and the
 * copy streams, while aggregating the whole shard at once would not fit in memory.
 */
async function writeShard(connection: DuckDBConnection, buckets: number[], target: string): Promise<void> {
  const aggregate = loadSql('sequences/aggregate_users.sql');
  const copyTo = (file: string) => `) TO ${sqlStringLiteral(file)} (FORMAT parquet, ROW_GROUP_SIZE 10000)`;
  if (buckets.length <= 1) {
    // A shard without users still gets a file with the schema (bucket -1 selects nobody).
    await runSqlText(connection, `COPY (${aggregate}${copyTo(target)}`, { bucket: buckets[0] ?? -1 }, 'sequences/aggregate_users.sql');
    return;
  }
  const parts = buckets.map((bucket) => `${target}.bucket-${bucket}`);
  for (const [index, bucket] of buckets.entries()) {
    await runSqlText(connection, `COPY (${aggregate}${copyTo(parts[index])}`, { bucket }, 'sequences/aggregate_users.sql');
  }
  const partList = `[${parts.map(sqlStringLiteral).join(', ')}]`;
  await connection.run(`COPY (SELECT * FROM read_parquet(${partList})${copyTo(target)}`);
  await Promise.all(parts.map((part) => fs.rm(part)));
}

/** run.sequences: the shards as one table, for SQL over the run (publish, evaluation, people). */
async function addSequencesView(databasePath: string, shards: ShardRef[]): Promise<void> {
  const database = await openDuckDB(databasePath);
  try {
    const files = `[${shards.map((shard) => sqlStringLiteral(path.resolve(shard.path))).join(', ')}]`;
    await database.connection.run(`CREATE OR REPLACE VIEW sequences AS SELECT * FROM read_parquet(${files})`);
  } finally {
    database.close();
  }
}
