import type { DuckDBConnection } from '@duckdb/node-api';
import { readShardSequences, type UserSequence } from '../shard-sequences';
import { textHash } from './cache-key';
import type { CachedVector, EmbeddingCache } from './embedding-cache';

/** Users read per step while hashing a shard's texts (only their hashes are kept). */
const HASH_CHUNK_USERS = 5000;

/**
 * The embedding cache as one shard sees it. The cache is looked up once per shard, for the texts
 * of its users from the first batch computed on, rather than once per batch: a lookup reads every
 * part's hash column, so per batch it would cost the cache's size times the batches. Only the
 * hits for this shard's users are held, and each is let go when the last user with that text has
 * taken it; a text embedded in one batch that later users of the shard also have is kept for them.
 */
export interface ShardCacheView {
  shardPath: string;
  fromRow: number;
  /** One user's vector if its text is cached (counts the user as served). */
  take(hash: string): CachedVector | undefined;
  /** A text just embedded: kept only if users still to come have it too. */
  keep(hash: string, entry: CachedVector): void;
}

export async function viewShardCache(options: {
  cache: EmbeddingCache;
  connection: DuckDBConnection;
  shardPath: string;
  fromRow: number;
  textOf: (user: UserSequence) => string;
}): Promise<ShardCacheView> {
  const { cache, connection, shardPath, fromRow, textOf } = options;
  const usersLeft = new Map<string, number>();
  for (let from = fromRow; ; from += HASH_CHUNK_USERS) {
    const users = await readShardSequences(connection, shardPath, from, from + HASH_CHUNK_USERS);
    for (const user of users) {
      const hash = textHash(textOf(user));
      usersLeft.set(hash, (usersLeft.get(hash) ?? 0) + 1);
    }
    if (users.length < HASH_CHUNK_USERS) break;
  }
  const held = await cache.lookup(usersLeft.keys());
  return {
    shardPath,
    fromRow,
    take(hash) {
      const left = (usersLeft.get(hash) ?? 0) - 1;
      if (left > 0) usersLeft.set(hash, left);
      else usersLeft.delete(hash);
      const entry = held.get(hash);
      if (left <= 0) held.delete(hash);
      return entry;
    },
    keep(hash, entry) {
      if (usersLeft.has(hash)) held.set(hash, entry);
    },
  };
}
