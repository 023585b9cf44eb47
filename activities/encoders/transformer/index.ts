import type { EncodersConfig } from '../../../common/run-config';
import { cacheFiles, dataDirOfRun } from '../../../common/run-layout';
import { provisionedDefaultModelDir } from '../../../lib/runtime/models/default-model';
import type { EncodedBatch, EncoderContext, SequenceEncoder } from '../encoder';
import { readShardSequences } from '../shard-sequences';
import { embeddingCacheKey, textHash } from './cache-key';
import { embedTexts, type TextEmbeddings } from './embed-texts';
import { openEmbeddingCache, type CachedVector, type EmbeddingCache } from './embedding-cache';
import { serializeSequence, type SerializationOptions } from './serialize';
import { loadModel, type LoadedModel } from './session';
import { viewShardCache, type ShardCacheView } from './shard-cache-view';

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
 * With transformerCache on, a text already embedded by any run of the data directory (same model
 * file, same text settings) takes its vector from the cache and never reaches onnxruntime.
 */
export async function transformerEncoder(context: EncoderContext): Promise<SequenceEncoder> {
  const { config } = context;
  const modelDir = config.transformerModelDir || await provisionedDefaultModelDir();
  const model = await loadModel(modelDir, context.onnx, context.warn, config.transformerPrecision);
  const serialization = serializationOptions(config);
  const embed = (texts: string[]) => embedTexts(texts, model, {
    longTexts: config.transformerLongTexts,
    maxChunks: config.transformerMaxChunks,
    batchSize: config.transformerBatchSize,
    batchTokens: config.transformerBatchTokens,
    newestAt: config.transformerOrder === 'newest-last' ? 'end' : 'start',
  });
  const cache = config.transformerCache ? await openCacheFor(context, model) : undefined;
  let view: ShardCacheView | undefined;
  return {
    name: 'transformer',
    dimensions: model.config.dimensions,
    async encodeBatch(shardPath, fromRow, toRow) {
      const users = await readShardSequences(context.connection, shardPath, fromRow, toRow);
      const texts = users.map((user) => serializeSequence(user.events, serialization));
      const userIds = users.map((user) => user.userId);
      if (!cache) {
        const embedded = await embed(texts);
        return {
          userIds,
          vectors: embedded.vectors,
          dimensions: embedded.dimensions,
          stats: { users: users.length, chunked_users: embedded.chunked, truncated_users: embedded.truncated, tokens: embedded.tokens },
        };
      }
      if (!view || view.shardPath !== shardPath || fromRow < view.fromRow) {
        view = await viewShardCache({ cache, connection: context.connection, shardPath, fromRow, textOf: (user) => serializeSequence(user.events, serialization) });
      }
      return { userIds, ...(await embedThroughCache(texts, { view, cache, embed, dimensions: model.config.dimensions })) };
    },
  };
}

/** The cache of this model and these text settings under the run's data directory; none (with a warning) if it cannot be opened. */
async function openCacheFor(context: EncoderContext, model: LoadedModel): Promise<EmbeddingCache | undefined> {
  try {
    const { modelId, madeFrom } = await embeddingCacheKey(model, context.config);
    return await openEmbeddingCache({
      dir: cacheFiles.embeddingCacheDir(dataDirOfRun(context.runDir), modelId),
      dimensions: model.config.dimensions,
      connection: context.connection,
      warn: context.warn,
      describe: { modelName: model.config.name, onnxFile: model.onnxPath, ...madeFrom },
    });
  } catch (error) {
    context.warn(`embedding cache unavailable (${(error as Error).message.split('\n')[0]}): embedding every user`);
    return undefined;
  }
}

/**
 * One batch through the cache: users whose text is cached get its vector; the other texts are
 * embedded once each (users with the same text share it) and added to the cache.
 */
async function embedThroughCache(texts: string[], through: {
  view: ShardCacheView;
  cache: EmbeddingCache;
  embed: (texts: string[]) => Promise<TextEmbeddings>;
  dimensions: number;
}): Promise<Omit<EncodedBatch, 'userIds'>> {
  const { view, cache, embed, dimensions } = through;
  const vectors = new Float32Array(texts.length * dimensions);
  let chunked = 0;
  let truncated = 0;
  let hits = 0;
  const place = (user: number, entry: CachedVector) => {
    vectors.set(entry.vector, user * dimensions);
    if (entry.chunked) chunked++;
    if (entry.truncated) truncated++;
  };
  /** Text hash -> the users of this batch with that text, for the texts not cached. */
  const missing = new Map<string, number[]>();
  texts.forEach((text, user) => {
    const hash = textHash(text);
    const entry = view.take(hash);
    if (entry) {
      place(user, entry);
      hits++;
    } else {
      const users = missing.get(hash);
      if (users) users.push(user);
      else missing.set(hash, [user]);
    }
  });
  const misses = [...missing];
  const embedded = misses.length > 0 ? await embed(misses.map(([, users]) => texts[users[0]])) : undefined;
  const added = new Map<string, CachedVector>();
  misses.forEach(([hash, users], j) => {
    const entry: CachedVector = {
      vector: embedded!.vectors.slice(j * dimensions, (j + 1) * dimensions),
      chunked: embedded!.chunkedTexts[j] === 1,
      truncated: embedded!.truncatedTexts[j] === 1,
    };
    for (const user of users) place(user, entry);
    added.set(hash, entry);
    view.keep(hash, entry);
  });
  await cache.add(added);
  return {
    vectors,
    dimensions,
    stats: { users: texts.length, chunked_users: chunked, truncated_users: truncated, tokens: embedded?.tokens ?? 0, cache_hits: hits },
  };
}
