import ort from 'onnxruntime-node';
import type { TransformerLongTexts } from '../../../common/run-config';
import type { LoadedModel } from './session';

export interface TextEmbeddingOptions {
  /** What to do with a text longer than the model's limit: split it into chunks and average them, or keep the newest tokens. */
  longTexts: TransformerLongTexts;
  /** At most this many chunks per text (the newest ones); the rest is dropped and counted as truncated. */
  maxChunks: number;
  /** At most this many token windows per onnxruntime call. */
  batchSize: number;
  /**
   * At most this many (padded) tokens per call. On CPU, small calls are faster per token (the
   * activations stay in cache: 4 x 256 tokens runs ~15% faster than 32 x 256), so short windows
   * are batched wide and long ones narrow. 0 = no token limit.
   */
  batchTokens: number;
  /** Which end of the text is newest ('end' for newest-last serialization): truncation keeps that end. */
  newestAt: 'end' | 'start';
}

export interface TextEmbeddings {
  vectors: Float32Array;
  dimensions: number;
  /** Texts split into more than one window. */
  chunked: number;
  /** Texts that lost tokens (truncate mode, or more chunks than maxChunks). */
  truncated: number;
  /** Per text, 1 where it was chunked / truncated: what the embedding cache keeps beside each vector. */
  chunkedTexts: Uint8Array;
  truncatedTexts: Uint8Array;
  tokens: number;
}

/** One model input: a window of one text's tokens, with the special tokens around it. */
interface TokenWindow {
  text: number;
  ids: number[];
}

/**
 * Embeds texts with a sentence-embedding model: tokenize, split long texts into windows, run the
 * windows in batches sorted by length (padding only to the longest window of each batch), pool,
 * and L2-normalize. A chunked text's vector is the token-weighted mean over its windows, which for
 * one window is exactly sentence-transformers' mean pooling.
 */
export async function embedTexts(texts: string[], model: LoadedModel, options: TextEmbeddingOptions): Promise<TextEmbeddings> {
  const dimensions = model.config.dimensions;
  const { windows, chunkedTexts, truncatedTexts } = tokenize(texts, model, options);
  const sums = new Float64Array(texts.length * dimensions);
  const weights = new Float64Array(texts.length);
  const sorted = windows.map((_, i) => i).sort((a, b) => windows[a].ids.length - windows[b].ids.length).map((i) => windows[i]);
  for (let start = 0; start < sorted.length;) {
    // Sorted ascending, so the batch's last window is its longest: that is what it is padded to.
    let end = start + 1;
    while (end < sorted.length && end - start < options.batchSize
      && (options.batchTokens === 0 || (end - start + 1) * sorted[end].ids.length <= options.batchTokens)) end++;
    await runBatch(sorted.slice(start, end), model, sums, weights);
    start = end;
  }
  const vectors = new Float32Array(texts.length * dimensions);
  for (let t = 0; t < texts.length; t++) {
    let norm = 0;
    for (let d = 0; d < dimensions; d++) norm += (sums[t * dimensions + d] / weights[t]) ** 2;
    norm = Math.sqrt(norm) || 1;
    for (let d = 0; d < dimensions; d++) vectors[t * dimensions + d] = sums[t * dimensions + d] / weights[t] / norm;
  }
  return {
    vectors,
    dimensions,
    chunked: chunkedTexts.reduce((sum, flag) => sum + flag, 0),
    truncated: truncatedTexts.reduce((sum, flag) => sum + flag, 0),
    chunkedTexts,
    truncatedTexts,
    tokens: windows.reduce((sum, window) => sum + window.ids.length, 0),
  };
}

function tokenize(texts: string[], model: LoadedModel, options: TextEmbeddingOptions) {
  const windowBody = model.config.maxTokens - model.prefixIds.length - model.suffixIds.length;
  const windows: TokenWindow[] = [];
  const chunkedTexts = new Uint8Array(texts.length);
  const truncatedTexts = new Uint8Array(texts.length);
  texts.forEach((text, index) => {
    const body = model.tokenizer.encode(text, { add_special_tokens: false }).ids;
    const pieces = splitIntoWindows(body, windowBody);
    let kept = pieces;
    if (pieces.length > 1) {
      const limit = options.longTexts === 'chunk' ? options.maxChunks : 1;
      if (options.longTexts === 'chunk') chunkedTexts[index] = 1;
      if (pieces.length > limit) {
        truncatedTexts[index] = 1;
        // Newest at the end: cut from the end, so the newest window is full.
        kept = options.newestAt === 'end' ? splitIntoWindows(body.slice(body.length - limit * windowBody), windowBody) : pieces.slice(0, limit);
      }
    }
    for (const piece of kept) windows.push({ text: index, ids: [...model.prefixIds, ...piece, ...model.suffixIds] });
  });
  return { windows, chunkedTexts, truncatedTexts };
}

/** Consecutive windows of at most `size` tokens; an empty text is one empty window. */
function splitIntoWindows(tokens: number[], size: number): number[][] {
  const windows: number[][] = [];
  for (let start = 0; start < tokens.length || windows.length === 0; start += size) windows.push(tokens.slice(start, start + size));
  return windows;
}

async function runBatch(batch: TokenWindow[], model: LoadedModel, sums: Float64Array, weights: Float64Array): Promise<void> {
  const dimensions = model.config.dimensions;
  const rows = batch.length;
  const length = Math.max(...batch.map((window) => window.ids.length));
  const ids = new BigInt64Array(rows * length);
  const mask = new BigInt64Array(rows * length);
  batch.forEach((window, r) => {
    window.ids.forEach((id, position) => {
      ids[r * length + position] = BigInt(id);
      mask[r * length + position] = 1n;
    });
  });
  const feeds: Record<string, ort.Tensor> = {
    input_ids: new ort.Tensor('int64', ids, [rows, length]),
    attention_mask: new ort.Tensor('int64', mask, [rows, length]),
  };
  if (model.config.usesTokenTypeIds) feeds.token_type_ids = new ort.Tensor('int64', new BigInt64Array(rows * length), [rows, length]);
  const output = (await model.session.run(feeds, [model.config.outputName]))[model.config.outputName];
  const hidden = output.data as Float32Array;
  batch.forEach((window, r) => {
    const base = window.text * dimensions;
    const tokens = window.ids.length;
    if (model.config.pooling === 'pooled') {
      for (let d = 0; d < dimensions; d++) sums[base + d] += hidden[r * dimensions + d] * tokens;
    } else {
      const positions = model.config.pooling === 'cls' ? 1 : tokens;
      for (let p = 0; p < positions; p++) {
        const offset = (r * length + p) * dimensions;
        for (let d = 0; d < dimensions; d++) sums[base + d] += hidden[offset + d] * (model.config.pooling === 'cls' ? tokens : 1);
      }
    }
    weights[window.text] += tokens;
  });
}
