/**
 * embed-int8 (issue 16): the default model's int8 variant (model-int8.onnx, dynamic quantization
 * written by our provisioning) against its float32 model.onnx, in the same run, on the same real
 * users' texts (REES46 cosmetics sample, default template) with the encoder's own batching.
 * The two are timed alternately, `--rounds` times each, so a load change on a shared machine hits
 * both; the speed ratio is float32 time / int8 time over all rounds. Cosine: per user, int8 vector
 * against float32 vector (both L2-normalized), mean and minimum.
 * Reference, when the bench Python has onnxruntime + onnx (`npm run bench:setup`): onnxruntime's
 * quantize_dynamic applied to the same model.onnx, timed and compared the same way.
 *   npm run bench -- embed-int8 [--users 500] [--threads 0] [--rounds 2]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { embedTexts, type TextEmbeddings } from '../activities/encoders/transformer/embed-texts';
import { loadModel, type LoadedModel } from '../activities/encoders/transformer/session';
import { resolveRunConfig } from '../common/run-config';
import { provisionDefaultModel } from '../lib/runtime/models/default-model';
import { MODEL_FILES } from '../lib/runtime/models/model-config';
import { projectPath } from '../lib/paths';
import { benchPython } from '../lib/tooling/bench-python';
import { realUserTexts } from './embed';
import { round } from './helpers';

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({ args, options: {
    users: { type: 'string', default: '500' }, threads: { type: 'string', default: '0' }, rounds: { type: 'string', default: '2' },
  } });
  const threads = Number(values.threads);
  const rounds = Number(values.rounds);
  const { transformerBatchSize: batchSize, transformerBatchTokens: batchTokens } = resolveRunConfig();
  const options = { longTexts: 'chunk' as const, maxChunks: 1000, batchSize, batchTokens, newestAt: 'end' as const };
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bseg-bench-embed-int8-'));
  try {
    const texts = await realUserTexts(scratch, Number(values.users));
    const modelDir = await provisionDefaultModel();
    const models: Record<string, LoadedModel> = {
      float32: await loadModel(modelDir, { device: 'cpu', threads }, console.warn, 'float32'),
      int8: await loadModel(modelDir, { device: 'cpu', threads }, console.warn, 'int8'),
    };
    const reference = referenceQuantization(modelDir, scratch);
    if (reference) models.reference = await loadModel(reference.dir, { device: 'cpu', threads }, console.warn, 'float32');

    const seconds: Record<string, number> = {};
    const vectors: Record<string, TextEmbeddings> = {};
    for (const model of Object.values(models)) await embedTexts(texts.slice(0, batchSize), model, options); // warm-up
    for (let pass = 0; pass < rounds; pass++) {
      for (const [name, model] of Object.entries(models)) {
        const started = performance.now();
        vectors[name] = await embedTexts(texts, model, options);
        seconds[name] = (seconds[name] ?? 0) + (performance.now() - started) / 1000;
      }
    }
    const perRun = (name: string) => seconds[name] / rounds;
    const int8 = cosines(vectors.float32, vectors.int8);
    const result: Record<string, unknown> = {
      users: texts.length,
      tokens: vectors.float32.tokens,
      rounds,
      float32_s: round(perRun('float32')),
      int8_s: round(perRun('int8')),
      float32_users_per_s: round(texts.length / perRun('float32')),
      int8_users_per_s: round(texts.length / perRun('int8')),
      speed_ratio: round(seconds.float32 / seconds.int8),
      mean_cosine: round6(int8.mean),
      min_cosine: round6(int8.min),
      float32_mib: round(fs.statSync(path.join(modelDir, MODEL_FILES.onnx)).size / 2 ** 20),
      int8_mib: round(fs.statSync(path.join(modelDir, MODEL_FILES.onnxInt8)).size / 2 ** 20),
      threads: threads || 'onnxruntime default',
      load_average_1m: round(os.loadavg()[0]),
    };
    if (reference) {
      const ort = cosines(vectors.float32, vectors.reference);
      Object.assign(result, {
        reference: `onnxruntime ${reference.onnxruntime} quantize_dynamic (QInt8, per-tensor) of the same model.onnx`,
        reference_s: round(perRun('reference')),
        reference_speed_ratio: round(seconds.float32 / seconds.reference),
        reference_mean_cosine: round6(ort.mean),
        reference_min_cosine: round6(ort.min),
      });
    }
    return result;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** onnxruntime's quantize_dynamic of model.onnx in a model directory of its own, or nothing without onnx/onnxruntime in Python. */
function referenceQuantization(modelDir: string, scratch: string): { dir: string; onnxruntime: string } | undefined {
  const dir = path.join(scratch, 'reference-int8');
  fs.mkdirSync(dir);
  for (const file of [MODEL_FILES.tokenizer, MODEL_FILES.tokenizerConfig, MODEL_FILES.config]) fs.copyFileSync(path.join(modelDir, file), path.join(dir, file));
  try {
    const output = execFileSync(benchPython(), [
      projectPath('bench', 'python', 'quantize_dynamic.py'), path.join(modelDir, MODEL_FILES.onnx), path.join(dir, MODEL_FILES.onnx), '0',
    ], { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
    return { dir, onnxruntime: (JSON.parse(output.trim().split('\n').pop()!) as { onnxruntime: string }).onnxruntime };
  } catch (error) {
    console.warn(`no quantize_dynamic reference (${(error as Error).message.split('\n')[0]}); run npm run bench:setup`);
    return undefined;
  }
}

function cosines(a: TextEmbeddings, b: TextEmbeddings): { mean: number; min: number } {
  let sum = 0;
  let min = 1;
  const users = a.vectors.length / a.dimensions;
  for (let u = 0; u < users; u++) {
    let dot = 0;
    for (let d = 0; d < a.dimensions; d++) dot += a.vectors[u * a.dimensions + d] * b.vectors[u * b.dimensions + d];
    sum += dot;
    min = Math.min(min, dot);
  }
  return { mean: sum / users, min };
}

const round6 = (value: number) => Math.round(value * 1e6) / 1e6;
