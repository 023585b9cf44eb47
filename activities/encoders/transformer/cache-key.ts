import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { EncodersConfig } from '../../../common/run-config';
import { MODEL_FILES } from '../../../lib/runtime/models/model-config';
import type { LoadedModel } from './session';

/**
 * Transformer settings that do not change which vector a given text gets: where the model was
 * found (its files are fingerprinted instead), how windows are batched, and the cache switch.
 * Every other transformer* field (template, separator, order, price bands, long-text handling,
 * max chunks, and any field added later, such as a precision) is part of the key: a new field
 * misses the cache until someone decides here that it cannot change a vector.
 */
const NOT_IN_KEY = new Set(['transformerModelDir', 'transformerBatchSize', 'transformerBatchTokens', 'transformerCache']);

/** What a cached vector was made from: the files actually loaded, the model config, the text settings. */
export interface CacheKeySource {
  onnxSha256: string;
  tokenizerSha256: string;
  tokenizerConfigSha256: string | null;
  model: { maxTokens: number; dimensions: number; pooling: string; outputName: string; usesTokenTypeIds: boolean };
  settings: Record<string, unknown>;
}

/** The cache's model id: 32 hex digits of the sha256 of everything that shapes a text's vector. */
export async function embeddingCacheKey(model: LoadedModel, config: EncodersConfig): Promise<{ modelId: string; madeFrom: CacheKeySource }> {
  const { maxTokens, dimensions, pooling, outputName, usesTokenTypeIds } = model.config;
  const settings = Object.fromEntries(Object.entries(config)
    .filter(([field]) => field.startsWith('transformer') && !NOT_IN_KEY.has(field))
    .sort(([a], [b]) => a.localeCompare(b)));
  const madeFrom: CacheKeySource = {
    onnxSha256: await fileSha256(model.onnxPath),
    tokenizerSha256: await fileSha256(path.join(model.dir, MODEL_FILES.tokenizer)),
    tokenizerConfigSha256: await fileSha256(path.join(model.dir, MODEL_FILES.tokenizerConfig)).catch(() => null),
    model: { maxTokens, dimensions, pooling, outputName, usesTokenTypeIds },
    settings,
  };
  const modelId = crypto.createHash('sha256').update(JSON.stringify(madeFrom)).digest('hex').slice(0, 32);
  return { modelId, madeFrom };
}

/** The key of one user's vector inside a model's cache: the sha256 of the exact text embedded. */
export function textHash(text: string): string {
  return crypto.createHash('sha256').update(text, 'utf8').digest('hex');
}

const fileHashes = new Map<string, Promise<string>>();

/** sha256 of a file, once per process and file version (a 90 MB model takes ~0.3 s). */
async function fileSha256(file: string): Promise<string> {
  const stat = await fs.promises.stat(file);
  const key = `${path.resolve(file)}|${stat.size}|${stat.mtimeMs}`;
  let hash = fileHashes.get(key);
  if (!hash) {
    hash = new Promise<string>((resolve, reject) => {
      const digest = crypto.createHash('sha256');
      fs.createReadStream(file).on('data', (chunk) => digest.update(chunk)).on('error', reject).on('end', () => resolve(digest.digest('hex')));
    });
    fileHashes.set(key, hash);
    hash.catch(() => fileHashes.delete(key));
  }
  return hash;
}
