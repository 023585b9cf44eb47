import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { embedTexts, type TextEmbeddingOptions } from '../../activities/encoders/transformer/embed-texts';
import { serializeSequence, type SequenceEvent } from '../../activities/encoders/transformer/serialize';
import { serializationOptions } from '../../activities/encoders/transformer';
import { DEFAULT_RUN_CONFIG } from '../../common/run-config';
import { loadModel, type LoadedModel } from '../../activities/encoders/transformer/session';
import { DEFAULT_MODEL, provisionDefaultModel } from '../../lib/runtime/models/default-model';
import { readModelConfig } from '../../lib/runtime/models/model-config';
import { projectPath } from '../../lib/paths';

interface ReferenceRow { source: string; userId: string; tokens: number; windows: number; embedding: number[] }

const texts = JSON.parse(await fs.readFile(projectPath('test/fixtures/transformer/texts.json'), 'utf8')) as { rows: Array<{ text: string }> };
const reference = JSON.parse(await fs.readFile(projectPath('test/fixtures/transformer/reference.json'), 'utf8')) as { rows: ReferenceRow[] };
const CHUNK: TextEmbeddingOptions = { longTexts: 'chunk', maxChunks: 8, batchSize: 8, batchTokens: 0, newestAt: 'end' };

let modelDir: string;
let model: LoadedModel;
beforeAll(async () => {
  modelDir = await provisionDefaultModel();
  model = await loadModel(modelDir, { device: 'cpu', threads: 0 });
});

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / Math.sqrt(na * nb);
}

describe('default transformer model', () => {
  it('is the pinned all-MiniLM-L6-v2 with recorded provenance', async () => {
    const config = await readModelConfig(modelDir);
    expect(config).toMatchObject({ name: 'all-MiniLM-L6-v2', maxTokens: 256, dimensions: 384, pooling: 'mean' });
    expect(config.source).toMatchObject({ wheelSha256: DEFAULT_MODEL.wheelSha256, safetensorsSha256: DEFAULT_MODEL.members.weights.sha256 });
  });

  it('agrees with the independent numpy + HF tokenizers reference on real users (cosine >= 0.999 every row)', async () => {
    expect(texts.rows).toHaveLength(reference.rows.length);
    const result = await embedTexts(texts.rows.map((row) => row.text), model, CHUNK);
    const cosines = reference.rows.map((row, i) => cosine(result.vectors.subarray(i * 384, (i + 1) * 384), row.embedding));
    expect(Math.min(...cosines)).toBeGreaterThanOrEqual(0.999);
    // Same tokens as the Rust tokenizer (counts include [CLS]/[SEP] per window) and the same windows.
    expect(result.tokens).toBe(reference.rows.reduce((sum, row) => sum + row.tokens, 0));
    expect(result.chunked).toBe(reference.rows.filter((row) => row.windows > 1).length);
    expect(result.chunked).toBeGreaterThan(0);
  });

  it('gives the same vector whatever the batch size and order (padding is masked out)', async () => {
    const sample = texts.rows.slice(0, 12).map((row) => row.text);
    const one = await embedTexts(sample, model, { ...CHUNK, batchSize: 1 });
    const many = await embedTexts([...sample].reverse(), model, { ...CHUNK, batchSize: 12, batchTokens: 600 });
    for (let i = 0; i < sample.length; i++) {
      expect(cosine(one.vectors.subarray(i * 384, (i + 1) * 384), many.vectors.subarray((11 - i) * 384, (12 - i) * 384))).toBeGreaterThan(0.99999);
    }
  });

  it('truncates long texts to the newest tokens when asked, and counts them', async () => {
    const longest = reference.rows.reduce((best, row, i) => (row.windows > reference.rows[best].windows ? i : best), 0);
    const text = texts.rows[longest].text;
    const truncated = await embedTexts([text], model, { ...CHUNK, longTexts: 'truncate' });
    expect(truncated).toMatchObject({ chunked: 0, truncated: 1, tokens: 256 });
    const capped = await embedTexts([text], model, { ...CHUNK, maxChunks: 2 });
    expect(capped).toMatchObject({ chunked: 1, truncated: 1 });
    expect(capped.tokens).toBe(512);
    const full = await embedTexts([text], model, CHUNK);
    expect(cosine(truncated.vectors, full.vectors)).toBeLessThan(0.9999);
  });

  it('separates unrelated behavior: similar sequences are closer than different ones', async () => {
    const result = await embedTexts([
      'viewed electronics smartphone samsung price 200 to 1000; bought electronics smartphone samsung price 200 to 1000',
      'viewed electronics smartphone apple price over 1000; added to cart electronics smartphone apple price over 1000',
      'viewed apparel shoes nike price 50 to 200; viewed apparel shoes adidas price 50 to 200',
    ], model, CHUNK);
    const v = (i: number) => result.vectors.subarray(i * 384, (i + 1) * 384);
    expect(cosine(v(0), v(1))).toBeGreaterThan(cosine(v(0), v(2)) + 0.1);
  });
});

describe('model directories', () => {
  it('accepts a Hugging Face style directory without model-config.json (inferred from config.json)', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'model-dir-'));
    for (const file of ['model.onnx', 'tokenizer.json', 'tokenizer_config.json', 'config.json']) await fs.symlink(path.join(modelDir, file), path.join(dir, file));
    await fs.writeFile(path.join(dir, 'sentence_bert_config.json'), '{"max_seq_length": 128}');
    const config = await readModelConfig(dir);
    expect(config).toMatchObject({ maxTokens: 128, dimensions: 384, pooling: 'mean', outputName: 'last_hidden_state' });
    const userModel = await loadModel(dir, { device: 'cpu', threads: 1 });
    const result = await embedTexts([texts.rows[0].text], userModel, CHUNK);
    expect(cosine(result.vectors, reference.rows[0].embedding)).toBeGreaterThan(0.999);
  });

  it('names the missing file or bad field', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'model-dir-'));
    await expect(readModelConfig(dir)).rejects.toThrow(/lacks model\.onnx/);
    await fs.symlink(path.join(modelDir, 'model.onnx'), path.join(dir, 'model.onnx'));
    await fs.symlink(path.join(modelDir, 'tokenizer.json'), path.join(dir, 'tokenizer.json'));
    await fs.writeFile(path.join(dir, 'model-config.json'), JSON.stringify({ name: 'x', maxTokens: 256, dimensions: 384, pooling: 'max', outputName: 'y', usesTokenTypeIds: true }));
    await expect(readModelConfig(dir)).rejects.toThrow(/model-config\.json: field pooling is "max"; expected 'mean', 'cls' or 'pooled'/);
  });

  it('falls back to CPU with a warning when CUDA is requested but unavailable', async () => {
    const warnings: string[] = [];
    const cudaModel = await loadModel(modelDir, { device: 'cuda', threads: 1 }, (message) => warnings.push(message));
    if (cudaModel.device === 'cuda') return; // a machine with a working CUDA provider: nothing to fall back from
    expect(cudaModel.device).toBe('cpu');
    expect(warnings.join('\n')).toMatch(/CUDA execution provider unavailable/);
  });
});

describe('sequence serialization', () => {
  const event = (position: number, overrides: Partial<SequenceEvent>): SequenceEvent => ({
    position, event_type: 'view', item_id: 'i1', category_id: '77', category_code: null, brand: null, title: null,
    query_text: null, price: null, gap_s: null, ...overrides,
  });

  it('follows the documented template: actions, category path, price band, gaps, repeats collapsed', () => {
    const events = [
      event(3, { event_type: 'purchase', category_code: 'electronics.audio.headphone', brand: 'sony', price: 120, gap_s: 7200 }),
      event(1, { category_code: 'electronics.audio.headphone', brand: 'sony', price: 120 }),
      event(2, { category_code: 'electronics.audio.headphone', brand: 'sony', price: 120, gap_s: 30 }),
      event(4, { event_type: 'search', category_id: null, query_text: 'usb cable', gap_s: 3 * 86_400 }),
      event(5, { event_type: 'fav', price: 5, gap_s: 600 }),
    ];
    expect(serializeSequence(events, serializationOptions(DEFAULT_RUN_CONFIG))).toBe(
      'viewed electronics audio headphone sony price 50 to 200 (2 times); ' +
      'after 2 h, bought electronics audio headphone sony price 50 to 200; ' +
      'after 3 days, searched "usb cable"; after 10 min, saved category 77 price under 10');
    expect(serializeSequence(events, { ...serializationOptions(DEFAULT_RUN_CONFIG), order: 'newest-first', eventTemplate: '{action} {item}', eventSeparator: ' | ' }))
      .toBe('saved item i1 | searched item i1 | bought item i1 | viewed item i1 (2 times)');
  });
});
