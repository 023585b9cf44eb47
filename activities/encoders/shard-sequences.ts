import type { DuckDBConnection } from '@duckdb/node-api';
import { loadSql } from '../../lib/runtime/duckdb';
import type { SequenceEvent } from './transformer/serialize';

export interface UserSequence {
  userId: string;
  events: SequenceEvent[];
}

/** Reads users [fromRow, toRow) of a shard with their event lists (the shard's `events` column). */
export async function readShardSequences(connection: DuckDBConnection, shardPath: string, fromRow: number, toRow: number): Promise<UserSequence[]> {
  const reader = await connection.runAndReadAll(loadSql('encoders/shard_sequences.sql'), {
    shard_path: shardPath,
    from_row: fromRow,
    to_row: toRow,
  });
  return reader.getRowObjectsJS().map((row) => ({
    userId: String(row.user_id),
    events: (row.events ?? []) as unknown as SequenceEvent[],
  }));
}
