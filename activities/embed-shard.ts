import fs from 'node:fs/promises';
import type { EmbedShardInput, EmbedShardOutput } from '../common/contracts';
import { pathExists, writeJsonAtomic } from '../lib/runtime/atomic-write';
import { openDuckDB } from '../lib/runtime/duckdb';
import { concatBlocks, readEmbeddingFile, writeEmbeddingFile } from '../lib/runtime/embedding-file';
import { runStepOnce } from '../lib/runtime/run-dir';
import { attemptNumber, heartbeat, lastHeartbeatDetails, throwIfCancelled } from '../lib/runtime/activity-progress';
import { createEncoder } from './encoders';
import type { EncoderStats } from './encoders/encoder';
import type { SessionSettings } from './encoders/transformer/session';
import { runFiles, shardName } from '../common/run-layout';

export interface EmbedShardDeps {
  /** Fault-injection knob for crash tests: sleep this long after each batch. 0 in production. */
  batchDelayMs: number;
  /** Where this worker runs ONNX models (CPU/CUDA, threads): a property of the machine, not of the run. */
  onnx: SessionSettings;
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
  const step = `embed-${input.encoder}-${shardName(input.shard.index)}`;
  return runStepOnce(input.runDir, step, async () => {
    const finalPath = runFiles.embeddingFile(input.runDir, input.encoder, input.shard.index);
    const partsDir = runFiles.embeddingPartsDir(input.runDir, input.encoder, input.shard.index);
    const logPath = runFiles.embeddingBatchLog(input.runDir, input.encoder, input.shard.index);
    const batchSize = input.config.embedBatchSize;
    const batches = Math.ceil(input.shard.users / batchSize);
    await preparePartsDir(partsDir, batchSize);

    const resumeAt = lastHeartbeatDetails<EmbedHeartbeat>()?.nextBatch ?? 0;
    let computed = 0;
    let reused = 0;
    const database = await openDuckDB(':memory:', { threads: input.config.duckdbThreads, memoryLimit: input.config.duckdbMemoryLimit });
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
          const damage = await partDamage(partPath);
          if (!damage) {
            reused++;
            continue;
          }
          console.warn(`[${step}] damaged checkpoint ${partPath} (${damage}): computing batch ${batch} again`);
        }
        throwIfCancelled();
        const from = batch * batchSize;
        const block = await encoder.encodeBatch(input.shard.path, from, Math.min(from + batchSize, input.shard.users));
        // Stats first: a part file that exists always has its stats beside it.
        await writeJsonAtomic(runFiles.embeddingBatchStats(partPath), block.stats ?? {});
        await writeEmbeddingFile(partPath, block);
        await fs.appendFile(logPath, `batch=${batch} attempt=${attemptNumber()} pid=${process.pid}\n`);
        computed++;
        heartbeat({ nextBatch: batch + 1, batches } satisfies EmbedHeartbeat);
        if (deps.batchDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, deps.batchDelayMs));
      }
      const parts = [];
      const encoderStats: EncoderStats = {};
      for (let batch = 0; batch < batches; batch++) {
        const partPath = runFiles.embeddingBatchFile(partsDir, batch);
        parts.push(await readEmbeddingFile(partPath));
        addStats(encoderStats, await readStats(runFiles.embeddingBatchStats(partPath)));
      }
      const merged = batches > 0 ? concatBlocks(parts) : { userIds: [], vectors: new Float32Array(0), dimensions: encoder.dimensions };
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

/** Why a finished batch's part (or its stats) cannot be read back, or undefined when it can. */
async function partDamage(partPath: string): Promise<string | undefined> {
  try {
    await readEmbeddingFile(partPath);
    JSON.parse(await fs.readFile(runFiles.embeddingBatchStats(partPath), 'utf8'));
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

async function readStats(file: string): Promise<EncoderStats> {
  return JSON.parse(await fs.readFile(file, 'utf8')) as EncoderStats;
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
