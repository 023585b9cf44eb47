import type { EmbeddingBlock } from '../../lib/embedding-file';

/** A sequence encoder turns a row range [fromRow, toRow) of a shard into one vector per user. */
export interface SequenceEncoder {
  name: string;
  dimensions: number;
  /** Whether clustering should z-score the columns over all users (statistics vectors: yes). */
  standardize: boolean;
  encodeBatch(shardPath: string, fromRow: number, toRow: number): Promise<EmbeddingBlock>;
}
