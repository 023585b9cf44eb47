/**
 * Worker process entry point.
 *   npm run worker                 # both queues in one process
 *   npm run worker:cpu             # workflows + SQL/clustering/evaluation
 *   npm run worker:embedding       # only the embedding queue (e.g. on a GPU machine)
 * Options: --role cpu|embedding|all, --bundle [path] (pre-built workflow bundle; the default when
 * NODE_ENV=production), --task-queue-prefix P (tests and multi-tenant setups).
 * The embedding roles provision (or verify) the default transformer model before polling.
 * Environment: the connection profile (temporal-config/connection.json, TEMPORAL_* overrides);
 * BSEG_EMBED_BATCH_DELAY_MS (fault injection for crash tests; leave unset).
 */
import { parseArgs } from 'node:util';
import { TASK_QUEUES } from '../common/task-queues';
import { connectWorker, loadConnectionProfile } from '../lib/client/connection-profile';
import { installWorkerLogging } from '../lib/runtime/worker-logging';
import { createWorkers, DEFAULT_WORKFLOW_BUNDLE, runWorkersUntil, type WorkerRole } from './create-workers';
import { sessionSettingsFromEnv } from '../activities/encoders/transformer/session';

const { values } = parseArgs({
  options: {
    role: { type: 'string', default: 'all' },
    bundle: { type: 'string' },
    'task-queue-prefix': { type: 'string' },
  },
});
const role = values.role as WorkerRole;
if (!['cpu', 'embedding', 'all'].includes(role)) {
  console.error(`--role must be cpu, embedding or all, got ${values.role}`);
  process.exit(2);
}
const prefix = values['task-queue-prefix'];
const taskQueues = prefix ? { cpu: `${prefix}-cpu`, embedding: `${prefix}-embedding` } : TASK_QUEUES;
const bundle = values.bundle ?? (process.env.NODE_ENV === 'production' ? DEFAULT_WORKFLOW_BUNDLE : undefined);

installWorkerLogging();
const profile = loadConnectionProfile();
const connection = await connectWorker(profile);
const workers = await createWorkers({
  connection,
  namespace: profile.namespace,
  role,
  taskQueues,
  workflowBundlePath: bundle,
  activityDeps: { embed: { batchDelayMs: Number(process.env.BSEG_EMBED_BATCH_DELAY_MS ?? 0), onnx: sessionSettingsFromEnv() } },
  log: (line) => console.log(`[worker] ${line}`),
});
const stop = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => stop.abort());
console.log(`worker (${role}) polling ${taskQueues.cpu}/${taskQueues.embedding} on ${profile.address} namespace ${profile.namespace}`);
await runWorkersUntil(workers, stop.signal);
await connection.close();
