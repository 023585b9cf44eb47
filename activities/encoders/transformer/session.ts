import fs from 'node:fs/promises';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { Tokenizer } from '@huggingface/tokenizers';
import { modelError } from '../../../common/errors';
import type { ModelPrecision } from '../../../common/config/encoders';
import { MODEL_DIRECTORY_FIX, MODEL_FILES, checkPrecisionFile, modelFileName, readModelConfig, type ModelConfig } from '../../../lib/runtime/models/model-config';

export type ExecutionDevice = 'cpu' | 'cuda';

/** A loaded model: ONNX session + tokenizer + config, shared by every shard a worker encodes. */
export interface LoadedModel {
  dir: string;
  /** The ONNX file the session was created from: what the embedding cache fingerprints. */
  onnxPath: string;
  config: ModelConfig;
  session: ort.InferenceSession;
  tokenizer: Tokenizer;
  /** Which execution provider actually runs it (CUDA may have fallen back to CPU). */
  device: ExecutionDevice;
  /** Special tokens the tokenizer wraps every text in ([CLS] ... [SEP] for BERT). */
  prefixIds: number[];
  suffixIds: number[];
}

export interface SessionSettings {
  device: ExecutionDevice;
  /** onnxruntime intra-op threads; 0 = its default (all cores). */
  threads: number;
}

/** Worker-level settings (hardware belongs to the worker, not the run): BSEG_ONNX_DEVICE, BSEG_ONNX_THREADS. */
export function sessionSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): SessionSettings {
  const device = env.BSEG_ONNX_DEVICE ?? 'cpu';
  if (device !== 'cpu' && device !== 'cuda') throw new Error(`BSEG_ONNX_DEVICE must be cpu or cuda, got ${device}`);
  const threads = Number(env.BSEG_ONNX_THREADS ?? 0);
  if (!Number.isInteger(threads) || threads < 0) throw new Error(`BSEG_ONNX_THREADS must be a non-negative integer, got ${env.BSEG_ONNX_THREADS}`);
  return { device, threads };
}

const loaded = new Map<string, Promise<LoadedModel>>();

/**
 * Loads a model directory's ONNX file for `precision` (model.onnx or model-int8.onnx) once per
 * process and settings (a 90 MB model takes ~0.5 s to load).
 */
export function loadModel(
  dir: string, settings: SessionSettings, warn: (message: string) => void = console.warn, precision: ModelPrecision = 'float32',
): Promise<LoadedModel> {
  const key = `${path.resolve(dir)}|${precision}|${settings.device}|${settings.threads}`;
  let model = loaded.get(key);
  if (!model) {
    model = load(dir, settings, warn, precision);
    loaded.set(key, model);
    model.catch(() => loaded.delete(key));
  }
  return model;
}

async function load(dir: string, settings: SessionSettings, warn: (message: string) => void, precision: ModelPrecision): Promise<LoadedModel> {
  const config = await readModelConfig(dir);
  const file = modelFileName(precision);
  await checkPrecisionFile(dir, precision);
  const tokenizer = await readTokenizer(dir);
  const onnxPath = path.join(dir, file);
  const { session, device } = await createSession(onnxPath, settings, warn);
  for (const input of ['input_ids', 'attention_mask']) {
    if (!session.inputNames.includes(input)) {
      throw modelError(`${dir}/${file} has no ${input} input (inputs: ${session.inputNames.join(', ')}); it is not a text-embedding model: ${MODEL_DIRECTORY_FIX}`);
    }
  }
  if (!session.outputNames.includes(config.outputName)) {
    throw modelError(`${dir}/${file} has no output ${config.outputName} (outputs: ${session.outputNames.join(', ')}); set outputName in model-config.json`);
  }
  const { prefixIds, suffixIds } = specialTokens(tokenizer);
  return { dir, onnxPath, config, session, tokenizer, device, prefixIds, suffixIds };
}

/** A file that does not parse is a broken model directory: the same on every attempt. */
async function readTokenizer(dir: string): Promise<Tokenizer> {
  const file = path.join(dir, MODEL_FILES.tokenizer);
  let tokenizerConfig: object = {};
  try {
    tokenizerConfig = JSON.parse(await fs.readFile(path.join(dir, MODEL_FILES.tokenizerConfig), 'utf8')) as object;
  } catch {
    // optional: tokenizer.json alone is enough for BERT-style tokenizers
  }
  const text = await fs.readFile(file, 'utf8');
  try {
    return new Tokenizer(JSON.parse(text) as object, tokenizerConfig);
  } catch (error) {
    throw modelError(`${file} is not a tokenizer (${(error as Error).message}): ${MODEL_DIRECTORY_FIX}`);
  }
}

async function createSession(file: string, settings: SessionSettings, warn: (message: string) => void) {
  const options: ort.InferenceSession.SessionOptions = { graphOptimizationLevel: 'all' };
  if (settings.threads > 0) options.intraOpNumThreads = settings.threads;
  if (settings.device === 'cuda') {
    try {
      return { session: await ort.InferenceSession.create(file, { ...options, executionProviders: ['cuda'] }), device: 'cuda' as const };
    } catch (error) {
      warn(`CUDA execution provider unavailable (${(error as Error).message.split('\n')[0]}); running ${path.basename(file)} on CPU`);
    }
  }
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(file, { ...options, executionProviders: ['cpu'] });
  } catch (error) {
    throw modelError(`onnxruntime cannot load ${file} (${(error as Error).message.split('\n')[0]}): ${MODEL_DIRECTORY_FIX}`);
  }
  return { session, device: 'cpu' as const };
}

/** Finds what the tokenizer adds around a text by encoding one word with and without special tokens. */
function specialTokens(tokenizer: Tokenizer): { prefixIds: number[]; suffixIds: number[] } {
  const withSpecial = tokenizer.encode('a').ids;
  const body = tokenizer.encode('a', { add_special_tokens: false }).ids;
  const start = withSpecial.findIndex((_, i) => body.every((id, j) => withSpecial[i + j] === id));
  if (start < 0) return { prefixIds: [], suffixIds: [] };
  return { prefixIds: withSpecial.slice(0, start), suffixIds: withSpecial.slice(start + body.length) };
}
