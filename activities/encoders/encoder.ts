import type { DuckDBConnection } from '@duckdb/node-api';
import type { EncodersConfig } from '../../common/run-config';
import type { EmbeddingBlock } from '../../lib/runtime/embedding-file';
import type { SessionSettings } from './transformer/session';

/** What an encoder may report about a batch besides its vectors (e.g. how many texts were chunked); summed per shard. */
export type EncoderStats = Record<string, number>;

export interface EncodedBatch extends EmbeddingBlock {
  stats?: EncoderStats;
}

/** A sequence encoder turns a row range [fromRow, toRow) of a shard into one vector per user. */
export interface SequenceEncoder {
  name: string;
  dimensions: number;
  encodeBatch(shardPath: string, fromRow: number, toRow: number): Promise<EncodedBatch>;
}

/** What encoders are built from: the activity's DuckDB connection, the run config's encoder settings, and the run's fitted models. */
export interface EncoderContext {
  connection: DuckDBConnection;
  config: EncodersConfig;
  runDir: string;
  onnx: SessionSettings;
  warn: (message: string) => void;
}
