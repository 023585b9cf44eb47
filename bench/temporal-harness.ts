import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, bundleWorkflowCode } from '@temporalio/worker';
import { readDevServerConfig, startDevServer } from '../lib/client/dev-server';
import { WORKFLOWS_SOURCE, createWorkers, runWorkersUntil } from '../workers/create-workers';

export interface BenchTemporal {
  client: Client;
  taskQueues: { cpu: string; embedding: string };
}

/**
 * Runs `body` against a real Temporal dev server with every worker in this process (a pre-built
 * workflow bundle), all kept under `scratch`, and stops them afterwards: what the benchmarks that
 * go through Temporal share.
 */
export async function withBenchTemporal<T>(scratch: string, body: (temporal: BenchTemporal) => Promise<T>): Promise<T> {
  const server = await startDevServer({ stateDir: path.join(scratch, 'temporal'), port: 'auto', headless: true });
  const namespace = readDevServerConfig().namespaces[0];
  const bundlePath = path.join(scratch, 'workflow-bundle.js');
  fs.writeFileSync(bundlePath, (await bundleWorkflowCode({ workflowsPath: WORKFLOWS_SOURCE, logger: quietLogger })).code);
  const workerConnection = await NativeConnection.connect({ address: server.address });
  const taskQueues = { cpu: 'bench-cpu', embedding: 'bench-embedding' };
  const workers = await createWorkers({ connection: workerConnection, namespace, role: 'all', taskQueues, workflowBundlePath: bundlePath });
  const stop = new AbortController();
  const running = runWorkersUntil(workers, stop.signal);
  const client = new Client({ connection: await Connection.connect({ address: server.address }), namespace });
  try {
    return await body({ client, taskQueues });
  } finally {
    stop.abort();
    await running;
    await client.connection.close();
    await workerConnection.close();
    await server.stop();
  }
}

const quietLogger = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error };
