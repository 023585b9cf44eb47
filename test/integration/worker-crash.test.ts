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
import { writeSyntheticLog } from '../../lib/tooling/synthetic-events';
import { createHash } from 'node:crypto';
import { tsToMs } from '@temporalio/common/lib/time';

/** A sweep long enough to be killed in: 14 candidates, each clustered and scored with stability refits. */
const CONFIG: Partial<RunConfig> = {
  encoders: ['behavior-stats'], algorithms: ['kmeans', 'ward'], shardCount: 2, kMin: 2, kMax: 8, seed: '1',
  // Every drop of the test is swept (not assigned into the first one's segment model): they are compared run for run.
  mode: 'refit',
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

/** Long enough stages to be killed in on this machine: 20k users, item2vec fitted (~20 s), 6 candidates scored. */
const STAGES_CONFIG: Partial<RunConfig> = {
  encoders: ['behavior-stats', 'item2vec'], algorithms: ['kmeans'], shardCount: 2, kMin: 2, kMax: 4, seed: '1', mode: 'refit',
  activityHeartbeatTimeoutSeconds: 5,
  // 6 candidates, 4 of them scored fully after screening: the run has a 'score' stage to kill a worker in.
  fullyScoredShare: 0.25, fullyScoredMin: 4,
};

describe('a CPU worker killed in each long stage', () => {
  it('cleaning, fitting an encoder and scoring each move to the next worker after the heartbeat timeout, and the outputs are those of an uninterrupted run', async () => {
    await withWorkers({ role: 'embedding', label: 'stage-crashes' }, async ({ client, taskQueues, dataDir }) => {
      const prefix = taskQueues.cpu.replace(/-cpu$/, '');
      const source = path.join(dataDir, 'crashes.csv');
      await writeSyntheticLog(source, { users: 20_000, seed: 3, meanEvents: 10 });
      const workers: ChildWorker[] = [];
      const startWorker = async () => {
        const worker = startChildWorker({ role: 'cpu', taskQueuePrefix: prefix });
        workers.push(worker);
        await waitFor(() => worker.output().includes('polling'), 120_000, 'a CPU worker polling');
        return worker;
      };
      try {
        let current = await startWorker();
        const { handle } = await startDrop(client, dropRefFor(source), { dataDir, taskQueues, config: STAGES_CONFIG });
        const killedAt: Record<string, number> = {};
        const killedIn = { clean: 'cleanRawLogs', fit: 'fitEncoder', score: 'scoreCandidate' } as const;
        // Each kill lands inside the stage's activity: cleaning lasts seconds here, fitting item2vec and
        // full scoring (the sweep's second rung, after every candidate is screened) longer.
        for (const [stage, afterMs] of [['clean', 0], ['fit', 3000], ['score', 2000]] as const) {
          await waitFor(async () => (await handle.query(progressQuery)).stage === stage, 300_000, `the ${stage} stage`);
          await new Promise((resolve) => setTimeout(resolve, afterMs));
          await current.kill();
          killedAt[killedIn[stage]] = Date.now();
          current = await startWorker();
        }
        const output = await handle.result();
        const history = (await handle.fetchHistory()).events ?? [];
        const scheduled = new Map(history.filter((event) => event.activityTaskScheduledEventAttributes)
          .map((event) => [String(event.eventId), event.activityTaskScheduledEventAttributes!.activityType!.name!]));
        // When each killed activity started again (its first attempt > 1), counted from the kill.
        const restartedAfter: Record<string, number> = {};
        for (const event of history) {
          const started = event.activityTaskStartedEventAttributes;
          const type = started && (started.attempt ?? 1) > 1 ? scheduled.get(String(started.scheduledEventId)) : undefined;
          if (type && killedAt[type] && restartedAfter[type] === undefined) restartedAfter[type] = (tsToMs(event.eventTime) - killedAt[type]) / 1000;
        }
        console.log(`killed in clean, fit and cluster: each activity started again on the next worker after ${JSON.stringify(restartedAfter)} s`);
        // Every killed activity ran again after the 5 s heartbeat timeout and a worker start (a
        // scoring retry may also wait for one of the new worker's slots behind the other
        // candidates: measured 6, 6 and 51 s), not after the 4 h start-to-close.
        expect(Object.keys(restartedAfter).sort()).toEqual(['cleanRawLogs', 'fitEncoder', 'scoreCandidate']);
        for (const seconds of Object.values(restartedAfter)) expect(seconds).toBeLessThan(120);

        const reference = path.join(dataDir, 'reference.csv');
        fs.copyFileSync(source, reference);
        const referenceOutput = await (await startDrop(client, dropRefFor(reference), { dataDir, taskQueues, config: STAGES_CONFIG })).handle.result();
        expect(leaderboardOf(output.runDir)).toEqual(leaderboardOf(referenceOutput.runDir));
        const digest = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
        expect(digest(runFiles.segments(output.runDir))).toBe(digest(runFiles.segments(referenceOutput.runDir)));
        expect(output.accounting).toEqual(referenceOutput.accounting);
      } finally {
        for (const worker of workers) await worker.kill();
      }
    });
  }, 900_000);
});
