import fs from 'node:fs/promises';
import path from 'node:path';
import type { ModelPrecision } from '../../../common/config/encoders';
import { modelError } from '../../../common/errors';

/**
 * What the transformer encoder needs to know about a model directory besides model.onnx and
 * tokenizer.json. Written as model-config.json by provisioning; for a directory a user brings,
 * it may be written by hand or is inferred from the Hugging Face config files (see docs/ENCODERS.md).
 */
export interface ModelConfig {
  name: string;
  /** Longest token sequence (including [CLS]/[SEP]) the model accepts. */
  maxTokens: number;
  dimensions: number;
  /** 'mean' = mean over the attention mask of `outputName`; 'cls' = its first token; 'pooled' = `outputName` is already [batch, dims]. */
  pooling: 'mean' | 'cls' | 'pooled';
  outputName: string;
  /** Whether the graph takes a token_type_ids input (BERT does; many exports drop it). */
  usesTokenTypeIds: boolean;
  /** Where the files came from (package, version, checksums, licence); informational. */
  source?: Record<string, unknown>;
}

export const MODEL_FILES = {
  onnx: 'model.onnx',
  /** The int8 (dynamically quantized) variant of model.onnx; provisioning writes it for the default model. */
  onnxInt8: 'model-int8.onnx',
  tokenizer: 'tokenizer.json',
  tokenizerConfig: 'tokenizer_config.json',
  config: 'model-config.json',
};

/** The ONNX file of a model directory the transformer encoder loads at this precision. */
export function modelFileName(precision: ModelPrecision): string {
  return precision === 'int8' ? MODEL_FILES.onnxInt8 : MODEL_FILES.onnx;
}

/** The ONNX file transformerPrecision selects is there (a directory a user brings may have only model.onnx). */
export async function checkPrecisionFile(dir: string, precision: ModelPrecision): Promise<void> {
  const file = modelFileName(precision);
  try {
    await fs.access(path.join(dir, file));
  } catch {
    throw modelError(
      `model directory ${dir} lacks ${file}, which transformerPrecision '${precision}' runs: set transformerPrecision to 'float32', ` +
        `or add ${file} (an int8 quantization of model.onnx, e.g. onnxruntime.quantization.quantize_dynamic; docs/ENCODERS.md)`,
    );
  }
}

/** What to do about a broken model directory; the default one is the cache's, a user's is transformerModelDir. */
export const MODEL_DIRECTORY_FIX =
  "set the run config field transformerModelDir to a directory with model.onnx + tokenizer.json (+ model-config.json), or to '' for the default model (npm run model:provision)";

/** Reads (or infers) a model directory's config; fails with a ModelError naming the missing file or field. */
export async function readModelConfig(modelDir: string): Promise<ModelConfig> {
  for (const required of [MODEL_FILES.onnx, MODEL_FILES.tokenizer]) {
    try {
      await fs.access(path.join(modelDir, required));
    } catch {
      throw modelError(`model directory ${modelDir} lacks ${required}: ${MODEL_DIRECTORY_FIX}`);
    }
  }
  const own = await readJsonIfPresent(path.join(modelDir, MODEL_FILES.config));
  if (own) return checkConfig(own, path.join(modelDir, MODEL_FILES.config));
  // A Hugging Face / sentence-transformers export: infer from its config files.
  const hfConfig = await readJsonIfPresent(path.join(modelDir, 'config.json'));
  const sentenceConfig = await readJsonIfPresent(path.join(modelDir, 'sentence_bert_config.json'));
  const tokenizerConfig = await readJsonIfPresent(path.join(modelDir, MODEL_FILES.tokenizerConfig));
  if (!hfConfig || typeof hfConfig.hidden_size !== 'number') {
    throw modelError(`model directory ${modelDir} has neither model-config.json nor a config.json with hidden_size; write model-config.json (fields: name, maxTokens, dimensions, pooling, outputName, usesTokenTypeIds)`);
  }
  const maxTokens = Math.min(
    Number(sentenceConfig?.max_seq_length ?? tokenizerConfig?.model_max_length ?? 512),
    Number(hfConfig.max_position_embeddings ?? 512),
  );
  return checkConfig({
    name: path.basename(modelDir),
    maxTokens,
    dimensions: hfConfig.hidden_size,
    pooling: 'mean',
    outputName: 'last_hidden_state',
    usesTokenTypeIds: true,
  }, path.join(modelDir, 'config.json'));
}

function checkConfig(raw: Record<string, unknown>, file: string): ModelConfig {
  const fail = (field: string, expected: string): never => {
    throw modelError(`${file}: field ${field} is ${JSON.stringify(raw[field])}; expected ${expected}. Fix the file (see docs/ENCODERS.md)`);
  };
  if (typeof raw.name !== 'string') fail('name', 'a string');
  if (!Number.isInteger(raw.maxTokens) || (raw.maxTokens as number) < 8) fail('maxTokens', 'an integer >= 8');
  if (!Number.isInteger(raw.dimensions) || (raw.dimensions as number) < 1) fail('dimensions', 'a positive integer');
  if (!['mean', 'cls', 'pooled'].includes(raw.pooling as string)) fail('pooling', "'mean', 'cls' or 'pooled'");
  if (typeof raw.outputName !== 'string') fail('outputName', 'the name of the graph output to pool');
  if (typeof raw.usesTokenTypeIds !== 'boolean') fail('usesTokenTypeIds', 'true or false');
  return raw as unknown as ModelConfig;
}

async function readJsonIfPresent(file: string): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw modelError(`${file} is not valid JSON (${(error as Error).message}); fix or remove it`);
  }
}
