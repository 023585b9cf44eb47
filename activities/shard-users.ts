import fs from 'node:fs/promises';
import path from 'node:path';
import type { ShardRef, ShardUsersInput, ShardUsersOutput } from '../common/contracts';
import { produceAtomically } from '../lib/atomic-write';
import { openDuckDB, queryRows, runSqlFile, sqlStringLiteral } from '../lib/duckdb';
import { runStepOnce } from '../lib/run-dir';

/**
 * Splits the users' sequences into `shardCount` Parquet files by a stable hash of the user id
 * (schema: docs/DATA-CONTRACTS.md). The whole shard directory is produced under a temporary name
 * and renamed, so embedding never sees a partial set of shards.
 */
export async function shardUsers(input: ShardUsersInput): Promise<ShardUsersOutput> {
  return runStepOnce(input.runDir, 'shard', async () => {
    const shardDir = path.join(input.runDir, 'shards');
    const counts = await produceAtomically(shardDir, async (temporaryDir) => {
      await fs.mkdir(temporaryDir, { recursive: true });
      const database = await openDuckDB(':memory:', { threads: input.config.duckdbThreads, memoryLimit: input.config.duckdbMemoryLimit });
      try {
        const { connection } = database;
        await connection.run(`ATTACH ${sqlStringLiteral(input.databasePath)} AS run (READ_ONLY)`);
        await connection.run('CREATE TEMP VIEW sequences AS SELECT * FROM run.sequences');
        await runSqlFile(connection, 'shard/assign_shards.sql', { shard_count: input.config.shardCount });
        for (let index = 0; index < input.config.shardCount; index++) {
          const target = path.join(temporaryDir, shardFileName(index));
          await connection.run(
            `COPY (SELECT * FROM sharded_sequences WHERE shard = ${index} ORDER BY row_in_shard) ` +
              `TO ${sqlStringLiteral(target)} (FORMAT parquet, ROW_GROUP_SIZE 10000)`,
          );
        }
        return await queryRows(connection, 'SELECT shard, count(*) AS users FROM sharded_sequences GROUP BY shard');
      } finally {
        database.close();
      }
    });
    const usersByShard = new Map(counts.map((row) => [Number(row.shard), Number(row.users)]));
    const shards: ShardRef[] = [];
    for (let index = 0; index < input.config.shardCount; index++) {
      shards.push({ index, path: path.join(shardDir, shardFileName(index)), users: usersByShard.get(index) ?? 0 });
    }
    return { shards };
  });
}

export function shardFileName(index: number): string {
  return `shard-${String(index).padStart(4, '0')}.parquet`;
}
