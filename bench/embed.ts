/**
 * embed: the default transformer model on CPU, our encoder (tokenize in JS, windows sorted by
 * length, token-budget batches with dynamic padding, onnxruntime-node, mean pooling, L2) against
 * Python onnxruntime running the same model.onnx on the same texts (bench/python/embed_onnxruntime.py)
 * in the same run, twice: with exactly our batching (the headline speedup: same work, other
 * runtime), and with sentence-transformers' batching (sorted by length, 32 per call).
 * Texts: real users of the REES46 cosmetics sample, serialized with the default template.
 *   npm run bench -- embed [--users 1000] [--threads 0]
 * Needs onnxruntime, tokenizers and numpy in the Python of `npm run bench:setup` (or python3).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { createActivities } from '../activities';
import { readShardSequences } from '../activities/encoders/shard-sequences';
import { serializationOptions } from '../activities/encoders/transformer';
import { embedTexts } from '../activities/encoders/transformer/embed-texts';
import { serializeSequence } from '../activities/encoders/transformer/serialize';
import { loadModel } from '../activities/encoders/transformer/session';
import { resolveRunConfig } from '../common/run-config';
import { openDuckDB } from '../lib/runtime/duckdb';
import { provisionDefaultModel } from '../lib/runtime/models/default-model';
import { projectPath } from '../lib/paths';
import { peakRssMiB, resetPeakRss, round } from './helpers';
import { benchPython } from '../lib/tooling/bench-python';

const DATASET = path.resolve(projectPath(), '..', 'shared', 'datasets', 'rees46-cosmetics-sample');

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({ args, options: {
    users: { type: 'string', default: '1000' }, threads: { type: 'string', default: '0' },
  } });
  const users = Number(values.users);
  const threads = Number(values.threads);
  const { transformerBatchSize: batchSize, transformerBatchTokens: batchTokens } = resolveRunConfig();
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bseg-bench-embed-'));
  try {
    const texts = await realUserTexts(scratch, users);
    const textsFile = path.join(scratch, 'texts.json');
    fs.writeFileSync(textsFile, JSON.stringify(texts));
    const modelDir = await provisionDefaultModel();
    // Chunk without a cap on both sides, so both embed exactly the same windows.
    const options = { longTexts: 'chunk' as const, maxChunks: 1000, batchSize, batchTokens, newestAt: 'end' as const };

    resetPeakRss();
    const model = await loadModel(modelDir, { device: 'cpu', threads });
    await embedTexts(texts.slice(0, batchSize), model, options); // warm-up: first runs allocate and optimize
    const started = performance.now();
    const ours = await embedTexts(texts, model, options);
    const oursSeconds = (performance.now() - started) / 1000;
    const oursPeak = peakRssMiB();

    const vectorsFile = path.join(scratch, 'python.f32');
    const python = (size: number, tokens: number) => JSON.parse(execFileSync(benchPython(), [
      projectPath('bench', 'python', 'embed_onnxruntime.py'), textsFile, modelDir, String(size), String(tokens), String(threads), vectorsFile,
    ]).toString()) as { seconds: number; tokens: number; peak_rss_mib: number; onnxruntime: string };
    const sentenceTransformersStyle = python(32, 0);
    const sameBatching = python(batchSize, batchTokens); // last: its vectors are compared below
    const reference = new Float32Array(fs.readFileSync(vectorsFile).buffer.slice(0));
    let worstCosine = 1;
    for (let t = 0; t < texts.length; t++) {
      let dot = 0;
      for (let d = 0; d < ours.dimensions; d++) dot += ours.vectors[t * ours.dimensions + d] * reference[t * ours.dimensions + d];
      worstCosine = Math.min(worstCosine, dot);
    }
    return {
      sequences: texts.length,
      tokens: ours.tokens,
      chunked_sequences: ours.chunked,
      ours_s: round(oursSeconds),
      ours_sequences_per_s: round(texts.length / oursSeconds),
      ours_peak_rss_mib: oursPeak,
      reference: `Python onnxruntime ${sameBatching.onnxruntime}, same model.onnx, texts, windows and batches, same run`,
      reference_s: round(sameBatching.seconds),
      reference_sequences_per_s: round(texts.length / sameBatching.seconds),
      reference_peak_rss_mib: sameBatching.peak_rss_mib,
      speedup: round(sameBatching.seconds / oursSeconds),
      sentence_transformers_batching_s: round(sentenceTransformersStyle.seconds),
      speedup_vs_sentence_transformers_batching: round(sentenceTransformersStyle.seconds / oursSeconds),
      same_tokens: sameBatching.tokens === ours.tokens && sentenceTransformersStyle.tokens === ours.tokens,
      worst_cosine_vs_reference: round(worstCosine * 1e6) / 1e6,
      batch_size: batchSize,
      batch_tokens: batchTokens,
      threads: threads || 'onnxruntime default',
    };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** The first `count` users (shard row order) of the REES46 sample, serialized with the default template. */
export async function realUserTexts(scratch: string, count: number): Promise<string[]> {
  const activities = createActivities();
  const config = resolveRunConfig({ shardCount: 1 });
  const runDir = path.join(scratch, 'run');
  const inspected = await activities.inspectDrop({ runDir, source: DATASET, mappingFile: '' });
  await activities.cleanRawLogs({ runDir, files: inspected.files, pinned: inspected.pinned, format: inspected.format, delimiter: inspected.delimiter, config });
  const { shards } = await activities.shardUsers({ runDir, config });
  const database = await openDuckDB(':memory:', {});
  try {
    const sequences = await readShardSequences(database.connection, shards[0].path, 0, count);
    return sequences.map((user) => serializeSequence(user.events, serializationOptions(config)));
  } finally {
    database.close();
  }
}
