import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { RunConfig } from '../../common/run-config';
import type { TaskQueues } from '../../common/task-queues';
import { dropRefFor } from '../../lib/runtime/drop-id';
import { startDrop } from '../../lib/client/pipeline-client';
import { writeSyntheticLog } from '../../lib/tooling/synthetic-events';
import { projectPath } from '../../lib/paths';
import { startChildWorker, waitFor } from '../helpers/child-worker';
import { NAMESPACE, connectTestClient, freshDataDir, uniqueTaskQueues } from '../helpers/pipeline-harness';
import { percentile, pollProgressQueries } from '../helpers/query-latency';

const DROPS = 6;
/** Enough work per drop that CPU-bound activities stall an event loop they share for seconds (3000 users, 2 cores). */
const USERS = 3000;
const CONFIG: Partial<RunConfig> = {
  encoders: ['behavior-stats', 'item2vec'], algorithms: ['kmeans', 'ward'], shardCount: 2, kMin: 2, kMax: 5, seed: '1',
  // Six drops of one pipeline swept at once (none assigned into another's model), as the test measures sweeps under load.
  mode: 'refit',
};
const { EventType, TaskQueueType } = temporal.api.enums.v1;
/** The worker's warning when the server dropped its query answer (see the expectation below). */
const QUERY_ANSWER_DROPPED = 'Query not found when attempting to respond to it';

/** Workflows, CPU activities and embedding activities each have a poller, whatever the process layout. */
async function pollersReady(client: Client, taskQueues: TaskQueues): Promise<boolean> {
  const pollers = async (name: string, taskQueueType: temporal.api.enums.v1.TaskQueueType) =>
    (await client.workflowService.describeTaskQueue({ namespace: NAMESPACE, taskQueue: { name }, taskQueueType })).pollers?.length ?? 0;
  const counts = await Promise.all([
    pollers(taskQueues.cpu, TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW),
    pollers(taskQueues.cpu, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY),
    pollers(taskQueues.embedding, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY),
  ]);
  return counts.every((count) => count > 0);
}

describe('six drops at once, on a worker started as `npm run worker` starts it', () => {
  // About 2.5 minutes on 2 cores; more when the machine is shared.
  it('progress queries answer within a second, no workflow task is slow or times out, and all six complete', { timeout: 600_000 }, async () => {
    const dataDir = freshDataDir('concurrent-drops');
    const taskQueues = uniqueTaskQueues();
    const worker = startChildWorker({
      role: 'all',
      taskQueuePrefix: taskQueues.cpu.replace(/-cpu$/, ''),
      // Reports each process's event-loop stalls (test/helpers/loop-delay-probe.mjs).
      env: { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${projectPath('test', 'helpers', 'loop-delay-probe.mjs')}` },
    });
    const workerExited = new Promise<never>((_, reject) =>
      worker.process.once('exit', (code, signal) => reject(new Error(`the worker exited (${signal ?? code}):\n${worker.output()}`))));
    workerExited.catch(() => undefined);
    const client = await connectTestClient();
    try {
      const source = path.join(dataDir, 'synthetic.csv');
      await writeSyntheticLog(source, { users: USERS, seed: 1 });
      await waitFor(() => pollersReady(client, taskQueues), 120_000, 'the worker polling both queues');
      const drops = Array.from({ length: DROPS }, (_, index) => {
        const copy = path.join(dataDir, 'inputs', `drop-${index}.csv`);
        fs.mkdirSync(path.dirname(copy), { recursive: true });
        fs.copyFileSync(source, copy);
        return dropRefFor(copy);
      });
      const started = performance.now();
      const handles = await Promise.all(drops.map(async (drop) => (await startDrop(client, drop, { dataDir, taskQueues, config: CONFIG })).handle));
      const polling = pollProgressQueries(handles);
      const outcomes = await Promise.race([Promise.allSettled(handles.map((handle) => handle.result())), workerExited]);
      const { firstAnswerMs, answeredMs, failures } = await polling.stop();
      const wallSeconds = (performance.now() - started) / 1000;

      const events = (await Promise.all(handles.map((handle) => handle.fetchHistory()))).flatMap((history) => history.events ?? []);
      const taskTimeouts = events.filter((event) => event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT).length;
      const output = worker.output();
      // The SDK's warning TMPRL1104 ("Workflow task duration exceeded 5 seconds") is what the issue saw under this load.
      const slowTasks = output.split('TMPRL1104').length - 1;
      const droppedAnswers = output.split(QUERY_ANSWER_DROPPED).length - 1;
      const stalls: Record<string, number> = {};
      for (const [, role, ms] of output.matchAll(/\[loop-delay\] role=(\S+) pid=\d+ max_ms=(\d+)/g)) stalls[role] = Math.max(stalls[role] ?? 0, Number(ms));
      const slowest = [...answeredMs].sort((a, b) => b - a);
      console.log(
        `${DROPS} drops of ${USERS} users in ${wallSeconds.toFixed(0)} s: first queries ${firstAnswerMs.map((ms) => ms.toFixed(0)).join(', ')} ms; ` +
        `${answeredMs.length} later progress queries, ` +
        `p95 ${percentile(answeredMs, 0.95).toFixed(0)} ms, slowest ${slowest.slice(0, 3).map((ms) => ms.toFixed(0)).join(', ')} ms, ` +
        `${failures.length} failed, ${droppedAnswers} answers dropped by the server; ${slowTasks} workflow tasks over 5 s, ` +
        `${taskTimeouts} timed out; longest event-loop stall per process (ms, above 100): ${JSON.stringify(stalls)}`,
      );

      expect(outcomes.map((outcome) => outcome.status)).toEqual(Array(DROPS).fill('fulfilled'));
      expect(failures).toEqual([]);
      // Temporal server 1.29 registers a query before waiting for its answer only after it handed the
      // query to the worker (service/matching/matching_engine.go QueryWorkflow): an answer that
      // arrives first is dropped, the worker logs QUERY_ANSWER_DROPPED, and the server asks again
      // after the sticky queue's 10 s. Such queries were answered at once; every other one within a second.
      expect(slowest[droppedAnswers]).toBeLessThan(1000);
      // A drop's first query waits for its first workflow task: well within that task's 10 s timeout.
      expect(Math.max(...firstAnswerMs)).toBeLessThan(5000);
      expect(slowTasks).toBe(0);
      expect(taskTimeouts).toBe(0);
    } finally {
      await worker.kill();
      await client.connection.close();
    }
  });
});
