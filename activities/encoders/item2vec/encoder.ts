import { readEmbeddingFile } from '../../../lib/runtime/embedding-file';
import type { EncoderContext, SequenceEncoder } from '../encoder';
import { loadSql } from '../../../lib/runtime/duckdb';
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
      const reader = await context.connection.runAndReadAll(loadSql('encoders/item2vec_events.sql'), { shard_path: shardPath, from_row: fromRow, to_row: toRow });
      const [userIds, items, categories, eventTypes] = reader.getColumnsJS() as [string[], Array<Array<string | null> | null>, Array<Array<string | null> | null>, Array<string[] | null>];
      const out = new Float32Array(userIds.length * file.dimensions);
      let withoutVector = 0;
      let eventsWithoutVector = 0;
      userIds.forEach((_, index) => {
        const rows = (items[index] ?? []).map((item, event) => {
          const row = rowOf.get(ITEM_TOKEN + item) ?? rowOf.get(CATEGORY_TOKEN + categories[index]![event]) ?? -1;
          if (row < 0) eventsWithoutVector++;
          return row;
        });
        const pooled = poolUserVector(rows, eventTypes[index] ?? [], vectors, pooling, out.subarray(index * file.dimensions, (index + 1) * file.dimensions));
        if (!pooled) withoutVector++;
      });
      return {
        userIds: userIds.map(String),
        vectors: out,
        dimensions: file.dimensions,
        stats: { users: userIds.length, users_without_vector: withoutVector, events_without_vector: eventsWithoutVector },
      };
    },
  };
}
