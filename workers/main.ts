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
import { Command, Option } from 'commander';
import { TASK_QUEUES } from '../common/task-queues';
import { connectWorker, loadConnectionProfile } from '../lib/client/connection-profile';
import { installWorkerLogging } from '../lib/runtime/worker-logging';
import { createWorkers, DEFAULT_WORKFLOW_BUNDLE, ROLE_PARTS, runWorkersUntil, type WorkerRole } from './create-workers';
import { startWorkerProcesses } from './worker-processes';
import { sessionSettingsFromEnv } from '../activities/encoders/transformer/session';

const options = new Command('worker')
  .usage('[options]   (npm run worker -- [options])')
  .description('Poll the pipeline\'s task queues. Each part of a role polls in its own process: this one serves the first part, ' +
    'and one child process per other part stops with it.')
  .addOption(new Option('--role <role>', 'what this process serves').choices(Object.keys(ROLE_PARTS)).default('all'))
  .option('--bundle [path]', 'a pre-built workflow bundle (dist/workflow-bundle.js when no path is given, and the default when NODE_ENV=production)')
  .option('--task-queue-prefix <prefix>', 'poll <prefix>-cpu and <prefix>-embedding (tests, multi-tenant setups)')
  .showSuggestionAfterError(true)
  // A usage error is exit code 2, as in the client.
  .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2))
  .parse(process.argv)
  .opts<{ role: WorkerRole; bundle?: string | true; taskQueuePrefix?: string }>();
const role = options.role;
const prefix = options.taskQueuePrefix;
const taskQueues = prefix ? { cpu: `${prefix}-cpu`, embedding: `${prefix}-embedding` } : TASK_QUEUES;
const bundlePath = options.bundle === true ? DEFAULT_WORKFLOW_BUNDLE : options.bundle;
const bundle = bundlePath ?? (process.env.NODE_ENV === 'production' ? DEFAULT_WORKFLOW_BUNDLE : undefined);
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
