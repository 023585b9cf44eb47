import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CandidateMetrics } from '../../common/contracts';
import type { RunConfig } from '../../common/run-config';
import { runFiles } from '../../common/run-layout';
import { startDrop } from '../../lib/client/pipeline-client';
import { dropRefFor } from '../../lib/runtime/drop-id';
import { progressQuery } from '../../workflows';
import { startChildWorker, waitFor, type ChildWorker } from '../helpers/child-worker';
import { copyOfSample, withWorkers } from '../helpers/pipeline-harness';

/** A sweep long enough to be killed in: 14 candidates, each clustered and scored with stability refits. */
const CONFIG: Partial<RunConfig> = {
  encoders: ['behavior-stats'], algorithms: ['kmeans', 'ward'], shardCount: 2, kMin: 2, kMax: 8, seed: '1',
  activityHeartbeatTimeoutSeconds: 5,
};

/** The leaderboard without what differs between two runs of the same work (timings). */
function leaderboardOf(runDir: string) {
  const leaderboard = JSON.parse(fs.readFileSync(runFiles.leaderboard(runDir), 'utf8')) as { chosen: unknown; rows: CandidateMetrics[] };
  return { chosen: leaderboard.chosen, rows: leaderboard.rows.map(({ clusterSeconds: _c, scoreSeconds: _s, ...row }) => row) };
}

describe('a CPU worker killed mid-sweep', () => {
  it("its clustering and scoring activities move to another worker within the heartbeat timeout, with the same results", async () => {
    // Embedding runs in this process; workflows and every CPU activity in child processes.
    await withWorkers({ role: 'embedding', label: 'cpu-crash' }, async ({ client, taskQueues, dataDir }) => {
      const prefix = taskQueues.cpu.replace(/-cpu$/, '');
      const workers: ChildWorker[] = [];
      const started = (worker: ChildWorker) => waitFor(() => worker.output().includes('polling'), 120_000, 'a CPU worker polling');
      try {
        const first = startChildWorker({ role: 'cpu', taskQueuePrefix: prefix });
        workers.push(first);
        await started(first);
        const killed = dropRefFor(copyOfSample(dataDir, 'killed.csv'));
        const { handle } = await startDrop(client, killed, { dataDir, taskQueues, config: CONFIG });
        await waitFor(async () => (await handle.query(progressQuery)).stage === 'cluster', 120_000, 'the cluster stage');
        await first.kill();
        const killedAt = Date.now();

        const second = startChildWorker({ role: 'cpu', taskQueuePrefix: prefix });
        workers.push(second);
        const output = await handle.result();
        const recovery = (Date.now() - killedAt) / 1000;
        console.log(`killed mid-sweep: the run finished ${recovery.toFixed(1)} s after the kill`);
        // The in-flight activities were retried after the 5 s heartbeat timeout, not after the 4 h start-to-close.
        expect(recovery).toBeLessThan(120);
        const history = (await handle.fetchHistory()).events ?? [];
        const retried = history.filter((event) => (event.activityTaskStartedEventAttributes?.attempt ?? 1) > 1);
        expect(retried.length).toBeGreaterThan(0);

        // The same drop, never interrupted, gives the same leaderboard and choice.
        const reference = dropRefFor(copyOfSample(dataDir, 'reference.csv'));
        const { handle: referenceHandle } = await startDrop(client, reference, { dataDir, taskQueues, config: CONFIG });
        const referenceOutput = await referenceHandle.result();
        expect(leaderboardOf(output.runDir)).toEqual(leaderboardOf(referenceOutput.runDir));
        expect(fs.readFileSync(path.join(output.runDir, 'output', 'segments.parquet')).length).toBeGreaterThan(0);
      } finally {
        for (const worker of workers) await worker.kill();
      }
    });
  });
});
