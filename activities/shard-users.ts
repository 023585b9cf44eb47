import fs from 'node:fs/promises';
import path from 'node:path';
import type { ShardRef, ShardUsersInput, ShardUsersOutput } from '../common/contracts';
import { produceAtomically } from '../lib/atomic-write';
import { openDuckDB, queryRows, sqlStringLiteral } from '../lib/duckdb';
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
        // cleanRawLogs assigned the shards (sql/sequences/build_sequences.sql) and stored the
        // sequences in (shard, row_in_shard) order: each shard is a filtered copy, in table order.
        const counts = await queryRows(connection, 'SELECT shard, count(*) AS users FROM run.sequences GROUP BY shard ORDER BY shard');
        const outside = counts.filter((row) => Number(row.shard) >= input.config.shardCount);
        if (outside.length > 0) {
          throw new Error(`${input.databasePath}: sequences were assigned to shard ${outside[0].shard}, but shardCount is ${input.config.shardCount}; clean the drop again with this config`);
        }
        for (let index = 0; index < input.config.shardCount; index++) {
          const target = path.join(temporaryDir, shardFileName(index));
          await connection.run(
            `COPY (SELECT * FROM run.sequences WHERE shard = ${index}) ` +
              `TO ${sqlStringLiteral(target)} (FORMAT parquet, ROW_GROUP_SIZE 10000)`,
          );
        }
        return counts;
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
