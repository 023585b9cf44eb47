/**
 * npm start: the whole job on the bundled sample, on a fresh clone, in one command.
 * Provisions the Temporal CLI and the default transformer model (both cached), uses the server of the connection profile or starts the
 * embedded dev server, starts the workers, segments data/sample, prints the Temporal UI
 * link and the report path, and stops what it started. Workflows poll in this process; the CPU and
 * embedding activities in one child process each (workers/worker-processes.ts), as `npm run worker` runs them.
 *   npm start -- [--keep-server] [--drop <path>] [--data-dir <dir>]
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { connectClient, connectWorker, loadConnectionProfile } from '../lib/client/connection-profile';
import { dropRefFor } from '../lib/runtime/drop-id';
import { ensureLocalServer } from '../lib/client/local-server';
import { defaultDataDir, projectPath } from '../lib/paths';
import { describeProgress, startDrop, waitForDrop } from '../lib/client/pipeline-client';
import { provisionDefaultModel } from '../lib/runtime/models/default-model';
import { buildNativeAddon } from '../lib/tooling/native-build';
import { provisionTemporalCli } from '../lib/client/temporal-cli';
import { workflowUiLink } from '../lib/client/ui-link';
import { installWorkerLogging } from '../lib/runtime/worker-logging';
import { createWorkers, runWorkersUntil } from '../workers/create-workers';
import { startWorkerProcesses, type WorkerProcesses } from '../workers/worker-processes';

const { values } = parseArgs({
  options: {
    'keep-server': { type: 'boolean', default: false },
    drop: { type: 'string', default: projectPath('data', 'sample', 'rees46-2019-oct-sample.csv') },
    'data-dir': { type: 'string', default: defaultDataDir() },
  },
});
installWorkerLogging();
const log = (line: string) => console.log(`[start] ${line}`);
const started = performance.now();
const dataDir = path.resolve(values['data-dir']!);
const profile = loadConnectionProfile();
provisionTemporalCli(log);
await provisionDefaultModel(log); // the default run config embeds with the transformer
try {
  buildNativeAddon(log);
} catch (error) {
  log(`native clustering kernels not built (${(error as Error).message.split('\n')[0]}): clustering runs its slower TypeScript/onnxruntime paths`);
}
const server = await ensureLocalServer(profile, path.join(dataDir, 'temporal'), log);
let exitCode = 0;
const stopWorkers = new AbortController();
let workersDone: Promise<void> | undefined;
let activityWorkers: WorkerProcesses | undefined;
try {
  activityWorkers = startWorkerProcesses(['cpu-activities', 'embedding'], {});
  const workerConnection = await connectWorker(profile);
  const workers = await createWorkers({ connection: workerConnection, namespace: profile.namespace, role: 'workflows' });
  workersDone = runWorkersUntil(workers, stopWorkers.signal).finally(() => workerConnection.close());
  const client = await connectClient(profile);
  const drop = dropRefFor(values.drop!);
  const { handle, workflowId, started: isNew } = await startDrop(client, drop, { dataDir });
  log(`${isNew ? 'started' : 'found existing'} workflow ${workflowId}`);
  log(`Temporal UI: ${workflowUiLink(profile, workflowId)}`);
  // Without its activity workers the run would wait forever: a worker process that dies ends it here.
  const workerDied = activityWorkers.exitedEarly.then((reason) => Promise.reject(new Error(reason)));
  const { output, awaitingRetry } = await Promise.race([waitForDrop(handle, (progress) => log(describeProgress(progress))), workerDied]);
  if (awaitingRetry) {
    log(`shards failed: ${describeProgress(awaitingRetry)}; retry with: npm run client -- retry-failed ${drop.dropId}`);
    exitCode = 3;
  } else if (output) {
    const { accounting, chosen } = output;
    log(`rows: ${accounting.rawRows} raw = ${accounting.cleanedRows} cleaned + ${accounting.quarantinedRows} quarantined + ${accounting.duplicateRows} duplicates`);
    log(`chosen: ${chosen.encoder} / ${chosen.algorithm} ${chosen.params}; segments: ${output.segmentsPath}`);
    log(`report: ${output.reportPath}`);
  }
  await client.connection.close();
} catch (error) {
  console.error(`[start] failed: ${(error as Error).message}`);
  exitCode = 1;
} finally {
  stopWorkers.abort();
  await Promise.all([workersDone?.catch(() => undefined), activityWorkers?.stop()]);
  if (server && !values['keep-server']) {
    await server.stop();
    log('stopped the embedded Temporal server (use --keep-server to keep it and its Web UI running)');
  } else if (server) {
    log(`Temporal server left running at ${server.address} (pid ${server.process.pid}); Web UI ${server.uiUrl}`);
    server.process.unref();
  }
  log(`wall time ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
process.exit(exitCode);
