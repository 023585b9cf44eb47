/**
 * Worker process entry point.
 *   npm run worker                 # everything: workflows, CPU activities, embedding (three processes)
 *   npm run worker:cpu             # workflows + SQL/clustering/evaluation/publishing (two processes)
 *   npm run worker:embedding       # only the embedding queue (e.g. on a GPU machine)
 * Options: --role all|cpu|embedding|workflows|cpu-activities (workers/create-workers.ts
 * ROLE_PARTS), --bundle [path] (pre-built workflow bundle; the default when NODE_ENV=production),
 * --task-queue-prefix P (tests and multi-tenant setups).
 * Each part of a role polls in its own process: this one serves the first part (the workflows,
 * when the role has them) and starts one child process per other part, which stops with it.
 * Workflow tasks and queries then never wait behind a CPU-bound activity's event loop.
 * The embedding part provisions (or verifies) the default transformer model before polling.
 * Environment: the connection profile (temporal-config/connection.json, TEMPORAL_* overrides);
 * BSEG_EMBED_BATCH_DELAY_MS (fault injection for crash tests; leave unset).
 */
import { parseArgs } from 'node:util';
import { TASK_QUEUES } from '../common/task-queues';
import { connectWorker, loadConnectionProfile } from '../lib/client/connection-profile';
import { installWorkerLogging } from '../lib/runtime/worker-logging';
import { createWorkers, DEFAULT_WORKFLOW_BUNDLE, ROLE_PARTS, runWorkersUntil, type WorkerRole } from './create-workers';
import { startWorkerProcesses } from './worker-processes';
import { sessionSettingsFromEnv } from '../activities/encoders/transformer/session';

const { values } = parseArgs({
  options: {
    role: { type: 'string', default: 'all' },
    bundle: { type: 'string' },
    'task-queue-prefix': { type: 'string' },
  },
});
const role = values.role as WorkerRole;
if (!Object.hasOwn(ROLE_PARTS, role)) {
  console.error(`--role must be one of ${Object.keys(ROLE_PARTS).join(', ')}, got ${values.role}`);
  process.exit(2);
}
const prefix = values['task-queue-prefix'];
const taskQueues = prefix ? { cpu: `${prefix}-cpu`, embedding: `${prefix}-embedding` } : TASK_QUEUES;
const bundle = values.bundle ?? (process.env.NODE_ENV === 'production' ? DEFAULT_WORKFLOW_BUNDLE : undefined);
const [here, ...elsewhere] = ROLE_PARTS[role];

const stop = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => stop.abort());
// A child worker process (started by a parent's startWorkerProcesses) stops when its parent is gone, however it went.
process.once('disconnect', () => stop.abort());

installWorkerLogging();
const children = startWorkerProcesses(elsewhere, { taskQueuePrefix: prefix });
let exitCode = 0;
children.exitedEarly.then((reason) => {
  console.error(`[worker] ${reason}: stopping the others`);
  exitCode = 1;
  stop.abort();
});
try {
  const profile = loadConnectionProfile();
  const connection = await connectWorker(profile);
  const workers = await createWorkers({
    connection,
    namespace: profile.namespace,
    role: here,
    taskQueues,
    workflowBundlePath: bundle,
    activityDeps: { embed: { batchDelayMs: Number(process.env.BSEG_EMBED_BATCH_DELAY_MS ?? 0), onnx: sessionSettingsFromEnv() } },
    log: (line) => console.log(`[worker] ${line}`),
  });
  console.log(`worker (${here}, pid ${process.pid}) polling ${taskQueues.cpu}/${taskQueues.embedding} on ${profile.address} namespace ${profile.namespace}`);
  await runWorkersUntil(workers, stop.signal);
  await connection.close();
} finally {
  await children.stop();
}
process.exit(exitCode);
