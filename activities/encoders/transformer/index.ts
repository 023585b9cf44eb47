import type { EncodersConfig } from '../../../common/run-config';
import { provisionedDefaultModelDir } from '../../../lib/runtime/models/default-model';
import type { EncoderContext, SequenceEncoder } from '../encoder';
import { readShardSequences } from '../shard-sequences';
import { embedTexts } from './embed-texts';
import { serializeSequence, type SerializationOptions } from './serialize';
import { loadModel } from './session';

export function serializationOptions(config: EncodersConfig): SerializationOptions {
  return {
    eventTemplate: config.transformerEventTemplate,
    eventSeparator: config.transformerEventSeparator,
    order: config.transformerOrder,
    priceBands: config.transformerPriceBands,
  };
}

/**
 * The pretrained-transformer encoder: serialize each user's sequence to text, embed it with the
 * sentence-embedding model (lib/runtime/models; default all-MiniLM-L6-v2), one L2-normalized vector per user.
 * The model is only resolved here, never provisioned: a missing or broken one is a ModelError.
 */
export async function transformerEncoder(context: EncoderContext): Promise<SequenceEncoder> {
  const { config } = context;
  const modelDir = config.transformerModelDir || await provisionedDefaultModelDir();
  const model = await loadModel(modelDir, context.onnx, context.warn, config.transformerPrecision);
  const serialization = serializationOptions(config);
  return {
    name: 'transformer',
    dimensions: model.config.dimensions,
    async encodeBatch(shardPath, fromRow, toRow) {
      const users = await readShardSequences(context.connection, shardPath, fromRow, toRow);
      const texts = users.map((user) => serializeSequence(user.events, serialization));
      const embedded = await embedTexts(texts, model, {
        longTexts: config.transformerLongTexts,
        maxChunks: config.transformerMaxChunks,
        batchSize: config.transformerBatchSize,
        batchTokens: config.transformerBatchTokens,
        newestAt: config.transformerOrder === 'newest-last' ? 'end' : 'start',
      });
      return {
        userIds: users.map((user) => user.userId),
        vectors: embedded.vectors,
        dimensions: embedded.dimensions,
        stats: { users: users.length, chunked_users: embedded.chunked, truncated_users: embedded.truncated, tokens: embedded.tokens },
      };
    },
  };
}
