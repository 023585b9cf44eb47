import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { Worker } from '@temporalio/worker';
import type { EmbedShardInput } from '../../common/contracts';
import { dropRefFor } from '../../lib/runtime/drop-id';
import { startDrop } from '../../lib/client/pipeline-client';
import { progressQuery, retryFailedShardsSignal } from '../../workflows';
import { retryFailedCommand } from '../../scripts/client/retry-failed';
import { waitFor } from '../helpers/child-worker';
import { faultInjection } from '../helpers/fault-injection';
import { copyOfSample, withWorkers } from '../helpers/pipeline-harness';

const shardOf = (args: unknown[]) => (args[0] as EmbedShardInput).shard.index;

/** Shard 1's embedding fails while `broken.value` is true; everything else is real. */
function brokenShardOne() {
  const broken = { value: true };
  const injected = faultInjection((activityType, args) =>
    activityType === 'embedShard' && shardOf(args) === 1 && broken.value ? 'GPU fell off the bus (injected)' : undefined);
  return { broken, ...injected };
}

function computedBatches(runDir: string, shard: number): number {
  const file = path.join(runDir, 'embeddings', 'behavior-stats', `shard-${String(shard).padStart(4, '0')}.batches.log`);
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n').length : 0;
}

describe('failed shards', () => {
  it('wait for retryFailedShards and re-run only the failed shard', async () => {
    const { broken, interceptors, log } = brokenShardOne();
    await withWorkers({ interceptors, label: 'retry-signal' }, async ({ client, taskQueues, dataDir }) => {
      const drop = dropRefFor(copyOfSample(dataDir));
      const { handle } = await startDrop(client, drop, {
        dataDir, taskQueues, config: { encoders: ['behavior-stats'], shardCount: 3, activityMaxAttempts: 2, kMin: 2, kMax: 3 },
      });
      await waitFor(async () => (await handle.query(progressQuery)).stage === 'awaiting-retry', 60_000, 'awaiting-retry');
      const progress = await handle.query(progressQuery);
      expect(progress.failures).toEqual([{ step: 'embed behavior-stats/shard-1', error: 'GPU fell off the bus (injected)' }]);
      expect(progress.shardsDone).toBe(2);
      expect(log.count('embedShard', (args) => shardOf(args) === 1)).toBe(2); // both attempts used

      broken.value = false;
      await handle.signal(retryFailedShardsSignal);
      const output = await handle.result();
      expect(output.chosen.k).toBeGreaterThanOrEqual(2);
      expect(log.count('embedShard', (args) => shardOf(args) === 0)).toBe(1);
      expect(log.count('embedShard', (args) => shardOf(args) === 2)).toBe(1);
      expect(log.count('embedShard', (args) => shardOf(args) === 1)).toBe(3);
      // The signal path replays deterministically too.
      await Worker.runReplayHistory({ workflowBundle: { codePath: inject('workflowBundlePath') } }, await handle.fetchHistory(), 'signal-replay');
    });
  });

  it('after the run failed, retry-failed starts it again and reuses every finished step', async () => {
    const { broken, interceptors, log } = brokenShardOne();
    await withWorkers({ interceptors, label: 'retry-restart' }, async ({ client, taskQueues, dataDir }) => {
      const drop = dropRefFor(copyOfSample(dataDir));
      const { handle, workflowId } = await startDrop(client, drop, {
        dataDir, taskQueues, config: { encoders: ['behavior-stats'], shardCount: 3, activityMaxAttempts: 1, failedShardWaitMinutes: 0, kMin: 2, kMax: 3 },
      });
      await expect(handle.result()).rejects.toThrow();
      const runDir = path.join(dataDir, 'runs', drop.dropId);
      const before = [0, 2].map((shard) => computedBatches(runDir, shard));
      expect(before.every((count) => count > 0)).toBe(true);
      expect(computedBatches(runDir, 1)).toBe(0);

      broken.value = false;
      expect(await retryFailedCommand(client, workflowId)).toBe(0);
      const output = await client.workflow.getHandle(workflowId).result();
      expect(output.accounting.sequencedUsers).toBeGreaterThan(0);
      // Shards 0 and 2 were not recomputed; shard 1 now was. Cleaning ran once in total.
      expect([0, 2].map((shard) => computedBatches(runDir, shard))).toEqual(before);
      expect(computedBatches(runDir, 1)).toBeGreaterThan(0);
      expect(fs.existsSync(path.join(runDir, 'manifest.json'))).toBe(true);
      expect(log.count('cleanRawLogs')).toBe(2); // called again, returned from its checkpoint
      expect(fs.readdirSync(path.join(runDir, 'steps')).filter((name) => name === 'clean.json')).toHaveLength(1);
    });
  });
});
