import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { createActivities, DEFAULT_ACTIVITY_DEPS, type ActivityDeps } from '../activities';
import { TASK_QUEUES, type TaskQueues } from '../common/task-queues';
import { provisionDefaultModel } from '../lib/runtime/models/default-model';
import { projectPath } from '../lib/paths';
import { livenessHeartbeats } from '../lib/runtime/activity-progress';

export type WorkerRole = 'cpu' | 'embedding' | 'all';

export interface WorkerSetup {
  connection: NativeConnection;
  namespace: string;
  role: WorkerRole;
  taskQueues?: TaskQueues;
  activityDeps?: ActivityDeps;
  /** Use this pre-built workflow bundle (production) instead of bundling from source at start. */
  workflowBundlePath?: string;
  /** Concurrent activities per worker; CPU-bound work gains nothing from more than a few. */
  maxConcurrentActivities?: number;
  /** Worker interceptors (metrics, tracing, fault injection in tests). */
  interceptors?: WorkerOptions['interceptors'];
  /** Progress lines of the default model's provisioning (embedding role). */
  log?: (line: string) => void;
}

export const WORKFLOWS_SOURCE = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
export const DEFAULT_WORKFLOW_BUNDLE = projectPath('dist', 'workflow-bundle.js');

/**
 * The CPU worker serves workflows plus SQL, clustering, evaluation and publishing; the embedding
 * worker serves only embedShard on its own queue (so GPU machines can serve just that queue);
 * role 'all' runs both in one process (the embedded default and tests). The embedding worker
 * provisions (or verifies) the default transformer model before it polls: a machine that cannot
 * get the model fails here, loudly, instead of in every shard it picks up.
 */
export async function createWorkers(setup: WorkerSetup): Promise<Worker[]> {
  const queues = setup.taskQueues ?? TASK_QUEUES;
  const { embedShard, ...cpuActivities } = createActivities(setup.activityDeps ?? DEFAULT_ACTIVITY_DEPS);
  const workflowCode: Pick<WorkerOptions, 'workflowsPath' | 'workflowBundle'> = setup.workflowBundlePath
    ? { workflowBundle: { codePath: setup.workflowBundlePath } }
    : { workflowsPath: WORKFLOWS_SOURCE };
  if (setup.workflowBundlePath && !fs.existsSync(setup.workflowBundlePath)) {
    throw new Error(`workflow bundle ${setup.workflowBundlePath} not found; build it with 'npm run build:workflows'`);
  }
  if (setup.role !== 'cpu') await provisionDefaultModel(setup.log);
  // Every activity heartbeats while it runs, so a dead worker's activities move on within a minute.
  const interceptors: WorkerOptions['interceptors'] = {
    ...setup.interceptors,
    activity: [livenessHeartbeats(), ...(setup.interceptors?.activity ?? [])],
  };
  const workers: Worker[] = [];
  if (setup.role === 'cpu' || setup.role === 'all') {
    workers.push(await Worker.create({
      connection: setup.connection,
      namespace: setup.namespace,
      taskQueue: queues.cpu,
      ...workflowCode,
      activities: cpuActivities,
      interceptors,
      maxConcurrentActivityTaskExecutions: setup.maxConcurrentActivities ?? 4,
    }));
  }
  if (setup.role === 'embedding' || setup.role === 'all') {
    workers.push(await Worker.create({
      connection: setup.connection,
      namespace: setup.namespace,
      taskQueue: queues.embedding,
      activities: { embedShard },
      interceptors,
      maxConcurrentActivityTaskExecutions: setup.maxConcurrentActivities ?? 4,
    }));
  }
  return workers;
}

/** Runs workers until `signal` aborts (or one of them fails), then shuts all of them down. */
export async function runWorkersUntil(workers: Worker[], signal: AbortSignal): Promise<void> {
  const stop = () => workers.forEach((worker) => worker.getState() === 'RUNNING' && worker.shutdown());
  signal.addEventListener('abort', stop, { once: true });
  try {
    await Promise.all(workers.map((worker) => worker.run()));
  } finally {
    stop();
  }
}
