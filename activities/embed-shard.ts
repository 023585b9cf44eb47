import fs from 'node:fs/promises';
import path from 'node:path';
import { defaultModelDir } from '../lib/runtime/models/default-model';
import { modelFileName } from '../lib/runtime/models/model-config';
import type { EmbedShardInput, EmbedShardOutput } from '../common/contracts';
import { pathExists, writeJsonAtomic } from '../lib/runtime/atomic-write';
import { openDuckDB } from '../lib/runtime/duckdb';
import { duckdbShare } from '../lib/runtime/duckdb-budget';
import { concatBlocks, readEmbeddingFile, writeEmbeddingFile, type EmbeddingBlock } from '../lib/runtime/embedding-file';
import { runStepOnce } from '../lib/runtime/run-dir';
import { attemptNumber, heartbeat, lastHeartbeatDetails, throwIfCancelled } from '../lib/runtime/activity-progress';
import { createEncoder } from './encoders';
import type { EncoderStats } from './encoders/encoder';
import type { SessionSettings } from './encoders/transformer/session';
import { runFiles, runSteps } from '../common/run-layout';
import { FITTED_ENCODERS, resultSettings } from '../common/run-config';

export interface EmbedShardDeps {
  /** Fault-injection knob for crash tests: sleep this long after each batch. 0 in production. */
  batchDelayMs: number;
  /** Where this worker runs ONNX models (CPU/CUDA, threads): a property of the machine, not of the run. */
  onnx: SessionSettings;
}

/** The transformer's model file as found on this worker (another model, another embedding); nothing for other encoders. */
async function modelIdentity(input: EmbedShardInput): Promise<{ size: number; mtimeMs: number } | null> {
  if (input.encoder !== 'transformer') return null;
  const stat = await fs.stat(path.join(input.config.transformerModelDir || defaultModelDir(), modelFileName(input.config.transformerPrecision))).catch(() => undefined);
  return stat ? { size: stat.size, mtimeMs: stat.mtimeMs } : null;
}

export interface EmbedHeartbeat {
  nextBatch: number;
  batches: number;
}

/**
 * Encodes one shard in batches of `embedBatchSize` users. Each finished batch is written
 * atomically to `<shard>.parts/batch-NNNNN.arrow` and then heartbeated ({nextBatch}); a retry
 * (after a crash or a timeout) resumes from the heartbeat offset and skips every batch whose part
 * file exists, so finished batches are never recomputed. Every computed batch is appended to
 * `<shard>.batches.log` (batch, attempt, pid): the audit trail that shows it.
 */
export async function embedShard(input: EmbedShardInput, deps: EmbedShardDeps): Promise<EmbedShardOutput> {
  const step = runSteps.embed(input.encoder, input.shard.index);
  const definition = {
    runDir: input.runDir,
    step,
    madeFrom: { encoder: input.encoder, shard: input.shard, config: resultSettings(input.config), model: await modelIdentity(input) },
    upstream: [runSteps.shard, ...(FITTED_ENCODERS.includes(input.encoder) ? [runSteps.fit(input.encoder)] : [])],
    outputs: (output: EmbedShardOutput) => [{ file: output.path }],
  };
  return runStepOnce(definition, async () => {
    const finalPath = runFiles.embeddingFile(input.runDir, input.encoder, input.shard.index);
    const partsDir = runFiles.embeddingPartsDir(input.runDir, input.encoder, input.shard.index);
    const logPath = runFiles.embeddingBatchLog(input.runDir, input.encoder, input.shard.index);
    const batchSize = input.config.embedBatchSize;
    const batches = Math.ceil(input.shard.users / batchSize);
    await preparePartsDir(partsDir, batchSize);

    const resumeAt = lastHeartbeatDetails<EmbedHeartbeat>()?.nextBatch ?? 0;
    let computed = 0;
    let reused = 0;
    /** Every batch, computed now or found finished: the merge needs no second read of the parts. */
    const finished: FinishedPart[] = [];
    // Shards embedded at once on one worker share the worker's DuckDB budget.
    const database = await openDuckDB(':memory:', duckdbShare(input.config, input.config.embedConcurrency));
    try {
      const encoder = await createEncoder(input.encoder, {
        connection: database.connection,
        config: input.config,
        runDir: input.runDir,
        onnx: deps.onnx,
        warn: (message) => console.warn(`[${step}] ${message}`),
      });
      for (let batch = 0; batch < batches; batch++) {
        const partPath = runFiles.embeddingBatchFile(partsDir, batch);
        // The heartbeat offset says where the last attempt got to, but a batch may have finished
        // after its heartbeat was sent (or a part may have been deleted): the part file decides.
        // A part that cannot be read (damaged since) is computed again, never retried as it is.
        if (await pathExists(partPath)) {
          const part = await readFinishedPart(partPath);
          if ('block' in part) {
            finished[batch] = part;
            reused++;
            continue;
          }
          console.warn(`[${step}] damaged checkpoint ${partPath} (${part.damage}): computing batch ${batch} again`);
        }
        throwIfCancelled();
        const from = batch * batchSize;
        const block = await encoder.encodeBatch(input.shard.path, from, Math.min(from + batchSize, input.shard.users));
        // Stats first: a part file that exists always has its stats beside it.
        await writeJsonAtomic(runFiles.embeddingBatchStats(partPath), block.stats ?? {});
        await writeEmbeddingFile(partPath, block);
        finished[batch] = { block, stats: block.stats ?? {} };
        await fs.appendFile(logPath, `batch=${batch} attempt=${attemptNumber()} pid=${process.pid}\n`);
        computed++;
        heartbeat({ nextBatch: batch + 1, batches } satisfies EmbedHeartbeat);
        if (deps.batchDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, deps.batchDelayMs));
      }
      const encoderStats: EncoderStats = {};
      for (const part of finished) addStats(encoderStats, part.stats);
      const merged = batches > 0 ? concatBlocks(finished.map((part) => part.block)) : { userIds: [], vectors: new Float32Array(0), dimensions: encoder.dimensions };
      await writeEmbeddingFile(finalPath, merged);
      await fs.rm(partsDir, { recursive: true, force: true });
      return {
        shardIndex: input.shard.index,
        encoder: input.encoder,
        path: finalPath,
        rows: merged.userIds.length,
        dimensions: merged.dimensions,
        batchesComputed: computed,
        batchesReused: reused,
        resumedAtBatch: resumeAt,
        encoderStats,
      };
    } finally {
      database.close();
    }
  });
}

interface FinishedPart {
  block: EmbeddingBlock;
  stats: EncoderStats;
}

/** A finished batch's part and its stats, read once (the merge uses them), or why they cannot be read back. */
async function readFinishedPart(partPath: string): Promise<FinishedPart | { damage: string }> {
  try {
    const block = await readEmbeddingFile(partPath);
    const stats = JSON.parse(await fs.readFile(runFiles.embeddingBatchStats(partPath), 'utf8')) as EncoderStats;
    return { block, stats };
  } catch (error) {
    return { damage: (error as Error).message };
  }
}

function addStats(total: EncoderStats, batch: EncoderStats): void {
  for (const [key, value] of Object.entries(batch)) total[key] = (total[key] ?? 0) + value;
}

/** Part files from an earlier attempt are only reusable if they were cut with the same batch size. */
async function preparePartsDir(partsDir: string, batchSize: number): Promise<void> {
  const metaPath = runFiles.embeddingPartsMeta(partsDir);
  try {
    const meta = JSON.parse(await fs.readFile(metaPath, 'utf8')) as { batchSize: number };
    if (meta.batchSize === batchSize) return;
  } catch {
    // no usable parts yet
  }
  await fs.rm(partsDir, { recursive: true, force: true });
  await fs.mkdir(partsDir, { recursive: true });
  await writeJsonAtomic(metaPath, { batchSize });
}
