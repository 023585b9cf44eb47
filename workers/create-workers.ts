import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { createActivities, DEFAULT_ACTIVITY_DEPS, type ActivityDeps } from '../activities';
import { TASK_QUEUES, type TaskQueues } from '../common/task-queues';
import { provisionDefaultModel } from '../lib/runtime/models/default-model';
import { projectPath } from '../lib/paths';
import { livenessHeartbeats } from '../lib/runtime/activity-progress';
import { outOfMemoryFailures } from '../lib/runtime/out-of-memory';

/**
 * What one Temporal Worker polls: the workflow tasks, the CPU activities (SQL, clustering,
 * evaluation, publishing) or the embedding activities. Each part is also a role of its own.
 */
export type WorkerPart = 'workflows' | 'cpu-activities' | 'embedding';
export type WorkerRole = WorkerPart | 'cpu' | 'all';

/**
 * The parts each role serves. workers/main.ts runs each part of a role in its own process
 * (workers/worker-processes.ts): workflow tasks and queries must never wait behind a CPU-bound
 * activity on the same event loop. createWorkers runs all of them in the calling process.
 */
export const ROLE_PARTS: Record<WorkerRole, WorkerPart[]> = {
  all: ['workflows', 'cpu-activities', 'embedding'],
  cpu: ['workflows', 'cpu-activities'],
  workflows: ['workflows'],
  'cpu-activities': ['cpu-activities'],
  embedding: ['embedding'],
};

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
 * One Worker per part of `setup.role`, all in this process (tests, scripts; operators' processes
 * come from workers/main.ts, one per part). Workflows and the CPU activities share the CPU task
 * queue; embedShard has its own queue, so GPU machines can serve just that one. The embedding
 * part provisions (or verifies) the default transformer model before it polls: a machine that
 * cannot get the model fails here, loudly, instead of in every shard it picks up.
 */
export async function createWorkers(setup: WorkerSetup): Promise<Worker[]> {
  const queues = setup.taskQueues ?? TASK_QUEUES;
  const parts = ROLE_PARTS[setup.role];
  const { embedShard, ...cpuActivities } = createActivities(setup.activityDeps ?? DEFAULT_ACTIVITY_DEPS);
  const workflowCode: Pick<WorkerOptions, 'workflowsPath' | 'workflowBundle'> = setup.workflowBundlePath
    ? { workflowBundle: { codePath: setup.workflowBundlePath } }
    : { workflowsPath: WORKFLOWS_SOURCE };
  if (parts.includes('workflows') && setup.workflowBundlePath && !fs.existsSync(setup.workflowBundlePath)) {
    throw new Error(`workflow bundle ${setup.workflowBundlePath} not found; build it with 'npm run build:workflows'`);
  }
  if (parts.includes('embedding')) await provisionDefaultModel(setup.log);
  // Every activity heartbeats while it runs, so a dead worker's activities move on within a minute.
  const interceptors: WorkerOptions['interceptors'] = {
    ...setup.interceptors,
    // Out-of-memory errors fail at once, naming the limit: retrying the same input cannot fit it.
    activity: [livenessHeartbeats(), outOfMemoryFailures(), ...(setup.interceptors?.activity ?? [])],
  };
  const workers: Worker[] = [];
  // Workflows and CPU activities poll the same queue from separate Workers: Temporal hands
  // workflow tasks only to Workers with workflows, activity tasks only to Workers with activities.
  if (parts.includes('workflows')) {
    workers.push(await Worker.create({
      connection: setup.connection,
      namespace: setup.namespace,
      taskQueue: queues.cpu,
      ...workflowCode,
      interceptors,
    }));
  }
  if (parts.includes('cpu-activities')) {
    workers.push(await Worker.create({
      connection: setup.connection,
      namespace: setup.namespace,
      taskQueue: queues.cpu,
      activities: cpuActivities,
      interceptors,
      maxConcurrentActivityTaskExecutions: setup.maxConcurrentActivities ?? 4,
    }));
  }
  if (parts.includes('embedding')) {
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
  const running = Promise.all(workers.map((worker) => worker.run()));
  // Also when it was aborted before they ran (e.g. while they were being created).
  if (signal.aborted) stop();
  else signal.addEventListener('abort', stop, { once: true });
  try {
    await running;
  } finally {
    stop();
  }
}
