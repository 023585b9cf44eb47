/**
 * npm start: the whole job on the bundled sample, on a fresh clone, in one command.
 * Provisions the Temporal CLI and the default transformer model (both cached), uses the server of the connection profile or starts the
 * embedded dev server, starts the workers, segments the demo log in data/demo, prints the Temporal UI
 * link and the report path, and stops what it started. Workflows poll in this process; the CPU and
 * embedding activities in one child process each (workers/worker-processes.ts), as `npm run worker` runs them.
 *   npm start -- [--keep-server] [--drop <path>] [--data-dir <dir>]
 */
import path from 'node:path';
import { Command } from 'commander';
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
import { EXIT } from './client/cli';
import { progressDisplay } from './client/progress-display';
import { startWorkerProcesses, type WorkerProcesses } from '../workers/worker-processes';

const values = new Command('start')
  .usage('[options]   (npm start -- [options])')
  .description('The whole job on the bundled sample (or --drop): provisions what it needs, starts the Temporal dev server ' +
    'unless the connection profile\'s server answers, starts the workers, segments the drop, prints the Temporal UI link and ' +
    'the report path, and stops what it started.')
  .option('--keep-server', 'leave the embedded Temporal server (and its Web UI) running afterwards', false)
  .option('--drop <path>', 'the drop to segment', projectPath('data', 'demo', 'rees46-cosmetics-demo.csv.gz'))
  .option('--data-dir <dir>', 'where run directories (and the dev server\'s database) are written', defaultDataDir())
  .showSuggestionAfterError(true)
  // A usage error is exit code 2, as in the client.
  .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2))
  .parse(process.argv)
  .opts<{ keepServer: boolean; drop: string; dataDir: string }>();
installWorkerLogging();
const log = (line: string) => console.log(`[start] ${line}`);
const started = performance.now();
const dataDir = path.resolve(values.dataDir);
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
  const drop = dropRefFor(values.drop);
  const { handle, workflowId, started: isNew } = await startDrop(client, drop, { dataDir });
  log(`${isNew ? 'started' : 'found existing'} workflow ${workflowId}`);
  log(`Temporal UI: ${workflowUiLink(profile, workflowId)}`);
  // Without its activity workers the run would wait forever: a worker process that dies ends it here.
  const workerDied = activityWorkers.exitedEarly.then((reason) => Promise.reject(new Error(reason)));
  const display = progressDisplay({ json: false, startedAt: (await handle.describe()).startTime });
  const { output, awaitingRetry } = await Promise.race([waitForDrop(handle, (progress) => display.update(progress)), workerDied]).finally(() => display.stop());
  if (awaitingRetry) {
    log(`shards failed: ${describeProgress(awaitingRetry)}; retry with: npm run client -- retry-failed ${drop.dropId}`);
    exitCode = EXIT.awaitingRetry;
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
  if (server && !values.keepServer) {
    await server.stop();
    log('stopped the embedded Temporal server (use --keep-server to keep it and its Web UI running)');
  } else if (server) {
    log(`Temporal server left running at ${server.address} (pid ${server.process.pid}); Web UI ${server.uiUrl}`);
    server.process.unref();
  }
  log(`wall time ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
process.exit(exitCode);
