import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type WorkerOptions } from '@temporalio/worker';
import type { ActivityDeps } from '../../activities';
import type { TaskQueues } from '../../common/task-queues';
import { readDevServerConfig } from '../../lib/client/dev-server';
import { projectPath } from '../../lib/paths';
import { createWorkers, runWorkersUntil, type WorkerRole } from '../../workers/create-workers';
import { installWorkerLogging } from '../../lib/runtime/worker-logging';

installWorkerLogging('ERROR');

export const NAMESPACE = readDevServerConfig().namespaces[0];

export interface Harness {
  client: Client;
  taskQueues: TaskQueues;
  /** A fresh data directory for this test's runs. */
  dataDir: string;
  address: string;
}

export function uniqueTaskQueues(): TaskQueues {
  const prefix = `test-${randomUUID().slice(0, 8)}`;
  return { cpu: `${prefix}-cpu`, embedding: `${prefix}-embedding` };
}

export function freshDataDir(label: string): string {
  const dir = path.join(inject('scratchDir'), `${label}-${randomUUID().slice(0, 8)}`);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * A private copy of the bundled sample for one test: drop ids (and so workflow ids) derive from
 * the path, and every test on the shared server needs its own drop.
 */
export function copyOfSample(dataDir: string, name = 'sample.csv'): string {
  const target = path.join(dataDir, 'inputs', name);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.copyFileSync(projectPath('data', 'sample', 'rees46-2019-oct-sample.csv'), target);
  return target;
}

export async function connectTestClient(): Promise<Client> {
  const connection = await Connection.connect({ address: inject('temporalAddress') });
  return new Client({ connection, namespace: NAMESPACE });
}

/**
 * Runs `body` with real workers (unique task queues) polling the test server, then shuts them
 * down. `role` 'cpu' leaves the embedding queue to workers the test starts itself.
 */
export async function withWorkers<T>(
  options: { role?: WorkerRole; interceptors?: WorkerOptions['interceptors']; activityDeps?: ActivityDeps; label?: string },
  body: (harness: Harness) => Promise<T>,
): Promise<T> {
  const address = inject('temporalAddress');
  const taskQueues = uniqueTaskQueues();
  const connection = await NativeConnection.connect({ address });
  const workers = await createWorkers({
    connection,
    namespace: NAMESPACE,
    role: options.role ?? 'all',
    taskQueues,
    workflowBundlePath: inject('workflowBundlePath'),
    interceptors: options.interceptors,
    activityDeps: options.activityDeps,
  });
  const stop = new AbortController();
  const running = runWorkersUntil(workers, stop.signal);
  const client = await connectTestClient();
  try {
    return await body({ client, taskQueues, dataDir: freshDataDir(options.label ?? 'run'), address });
  } finally {
    stop.abort();
    await running;
    await client.connection.close();
    await connection.close();
  }
}
