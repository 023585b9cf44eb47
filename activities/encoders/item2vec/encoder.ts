import { readEmbeddingFile } from '../../../lib/runtime/embedding-file';
import type { EncoderContext, SequenceEncoder } from '../encoder';
import { readShardSequences } from '../shard-sequences';
import { CATEGORY_TOKEN, ITEM_TOKEN } from './fit';
import { poolUserVector } from './pool';
import type { ItemVectors } from './sgns';

/**
 * Per-shard item2vec encoder: each event contributes its item's vector (or, for an item too rare
 * to have one, its category's), weighted by event type and recency; see pool.ts.
 */
export async function item2vecEncoder(context: EncoderContext, vectorsPath: string): Promise<SequenceEncoder> {
  const file = await readEmbeddingFile(vectorsPath);
  const rowOf = new Map(file.userIds.map((token, row) => [token, row]));
  const vectors: ItemVectors = { vocabulary: file.userIds, dimensions: file.dimensions, vectors: file.vectors, rowOfToken: new Int32Array(0) };
  const pooling = { eventTypeWeights: context.config.item2vecEventWeights, recencyHalfLife: context.config.item2vecRecencyHalfLife };
  return {
    name: 'item2vec',
    dimensions: file.dimensions,
    async encodeBatch(shardPath, fromRow, toRow) {
      const users = await readShardSequences(context.connection, shardPath, fromRow, toRow);
      const out = new Float32Array(users.length * file.dimensions);
      let withoutVector = 0;
      let eventsWithoutVector = 0;
      users.forEach((user, index) => {
        const events = [...user.events].sort((a, b) => Number(a.position) - Number(b.position));
        const rows = events.map((event) => {
          const row = rowOf.get(ITEM_TOKEN + event.item_id) ?? rowOf.get(CATEGORY_TOKEN + (event.category_code ?? event.category_id)) ?? -1;
          if (row < 0) eventsWithoutVector++;
          return row;
        });
        const pooled = poolUserVector(rows, events.map((event) => event.event_type), vectors, pooling, out.subarray(index * file.dimensions, (index + 1) * file.dimensions));
        if (!pooled) withoutVector++;
      });
      return {
        userIds: users.map((user) => user.userId),
        vectors: out,
        dimensions: file.dimensions,
        stats: { users: users.length, users_without_vector: withoutVector, events_without_vector: eventsWithoutVector },
      };
    },
  };
}
