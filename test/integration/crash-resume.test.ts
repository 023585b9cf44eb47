import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EmbedShardOutput } from '../../common/contracts';
import { dropRefFor } from '../../lib/runtime/drop-id';
import { startDrop } from '../../lib/client/pipeline-client';
import { readStepMarker } from '../../lib/runtime/run-dir';
import { startChildWorker, waitFor, type ChildWorker } from '../helpers/child-worker';
import { copyOfSample, withWorkers } from '../helpers/pipeline-harness';

function batchLog(file: string): Array<{ batch: number; pid: number }> {
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((line) => {
    const fields = Object.fromEntries(line.split(' ').map((pair) => pair.split('=')));
    return { batch: Number(fields.batch), pid: Number(fields.pid) };
  });
}

describe('crash recovery', () => {
  it('resumes a shard on a new worker after the embedding worker is killed, without redoing finished batches', async () => {
    // Workflows and CPU activities run in this process; embedding runs in child processes.
    await withWorkers({ role: 'cpu', label: 'crash' }, async ({ client, taskQueues, dataDir }) => {
      const prefix = taskQueues.embedding.replace(/-embedding$/, '');
      const workers: ChildWorker[] = [];
      try {
        // Slow batches (fault-injection knob) give the test time to kill mid-shard.
        const first = startChildWorker({ role: 'embedding', taskQueuePrefix: prefix, env: { BSEG_EMBED_BATCH_DELAY_MS: '400' } });
        workers.push(first);
        const drop = dropRefFor(copyOfSample(dataDir));
        const { handle } = await startDrop(client, drop, {
          dataDir, taskQueues,
          config: { encoders: ['behavior-stats'], shardCount: 1, embedBatchSize: 40, embedHeartbeatTimeoutSeconds: 3, kMin: 2, kMax: 3 },
        });
        const logFile = path.join(dataDir, 'runs', drop.dropId, 'embeddings', 'behavior-stats', 'shard-0000.batches.log');
        await waitFor(() => batchLog(logFile).length >= 3, 60_000, 'three finished batches');
        await first.kill();
        const finishedBeforeCrash = batchLog(logFile);

        workers.push(startChildWorker({ role: 'embedding', taskQueuePrefix: prefix }));
        const output = await handle.result();

        const log = batchLog(logFile);
        const batches = log.map((entry) => entry.batch);
        const totalBatches = Math.ceil(output.accounting.sequencedUsers / 40);
        // Every batch computed exactly once across both workers...
        expect([...batches].sort((a, b) => a - b)).toEqual(Array.from({ length: totalBatches }, (_, i) => i));
        // ...by two different processes: the killed one and the one that resumed.
        expect(new Set(log.map((entry) => entry.pid)).size).toBe(2);
        expect(log.slice(0, finishedBeforeCrash.length)).toEqual(finishedBeforeCrash);
        expect(finishedBeforeCrash.every((entry) => entry.pid === first.process.pid)).toBe(true);

        const marker = await readStepMarker<EmbedShardOutput>(path.join(dataDir, 'runs', drop.dropId), 'embed-behavior-stats-shard-0000');
        expect(marker!.output.batchesReused).toBeGreaterThanOrEqual(finishedBeforeCrash.length);
        expect(marker!.output.batchesReused + marker!.output.batchesComputed).toBe(totalBatches);
        expect(marker!.output.resumedAtBatch).toBeGreaterThan(0);
        expect(marker!.output.rows).toBe(output.accounting.sequencedUsers);
      } finally {
        for (const worker of workers) await worker.kill();
      }
    });
  });
});
