/**
 * Re-records the replay histories of test/fixtures/histories (test/unit/replay.test.ts) from real
 * runs on a private dev server, so the recordings can be reproduced after an intended workflow
 * change:
 *   npm run record-history              every fixture below
 *   npm run record-history -- <workflowId> <output.json>   one workflow of the profile's server
 * From then on a change that breaks replay of the committed histories needs a patch (patched()).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { RunConfig } from '../common/run-config';
import { loadConnectionProfile } from '../lib/client/connection-profile';
import { readDevServerConfig, startDevServer } from '../lib/client/dev-server';
import { dropRefFor } from '../lib/runtime/drop-id';
import { projectPath } from '../lib/paths';
import { startDrop } from '../lib/client/pipeline-client';
import { provisionTemporalCli } from '../lib/client/temporal-cli';
import { installWorkerLogging } from '../lib/runtime/worker-logging';
import { TASK_QUEUES } from '../common/task-queues';
import { backfillRange } from '../workflows';
import { createWorkers, runWorkersUntil } from '../workers/create-workers';

const FIXTURES = projectPath('test', 'fixtures', 'histories');
const SAMPLE = projectPath('data', 'sample', 'rees46-2019-oct-sample.csv');

/** Every algorithm and every fitted encoder, small: the sweep, the fit stage and the distributed child workflow. */
const SWEEP_CONFIG: Partial<RunConfig> = {
  encoders: ['item2vec', 'tfidf', 'behavior-stats'],
  algorithms: ['kmeans', 'minibatch-kmeans', 'distributed-kmeans', 'ward', 'average', 'dbscan', 'hdbscan'],
  shardCount: 2, kMin: 2, kMax: 3, dbscanEpsQuantiles: [0.9], hdbscanMinClusterShares: [0.05],
  stabilitySeedRuns: 1, stabilitySubsampleRuns: 1, bootstrapSamples: 100,
};
const BACKFILL_CONFIG: Partial<RunConfig> = { encoders: ['behavior-stats'], shardCount: 2, kMin: 2, kMax: 3 };

/** `temporal workflow show -o json`: the format Worker.runReplayHistory reads back through historyFromJSON. */
function writeHistory(address: string, namespace: string, workflowId: string, target: string): void {
  const json = execFileSync(provisionTemporalCli(), ['workflow', 'show', '--workflow-id', workflowId, '--output', 'json', '--address', address, '--namespace', namespace]).toString();
  fs.writeFileSync(target, json);
  console.log(`wrote ${JSON.parse(json).events.length} events of ${workflowId} to ${target}`);
}

/**
 * Replay needs the recorded workflow id (child workflow ids derive from it): each fixture's id is
 * kept in workflow-ids.json next to it.
 */
const recordedIds: Record<string, string> = {};
function recordFixture(address: string, namespace: string, workflowId: string, name: string): void {
  writeHistory(address, namespace, workflowId, path.join(FIXTURES, `${name}.json`));
  recordedIds[name] = workflowId;
}

/** Copies the sample (drop ids derive from the path) and writes a day-partitioned tree for the backfill. */
function prepareInputs(dataDir: string) {
  const copy = (target: string, lines?: [number, number]) => {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const all = fs.readFileSync(SAMPLE, 'utf8').trimEnd().split('\n');
    fs.writeFileSync(target, (lines ? [all[0], ...all.slice(1 + lines[0], 1 + lines[1])] : all).join('\n') + '\n');
    return target;
  };
  const tree = path.join(dataDir, 'tree');
  copy(path.join(tree, '2019-10-01', 'events.csv'), [0, 2500]);
  copy(path.join(tree, '2019-10-02', 'events.csv'), [2500, 5000]);
  return { defaultDrop: copy(path.join(dataDir, 'inputs', 'default.csv')), sweepDrop: copy(path.join(dataDir, 'inputs', 'sweep.csv')), tree };
}

async function recordAll(): Promise<void> {
  installWorkerLogging('WARN');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'record-history-'));
  const server = await startDevServer({ stateDir: path.join(dataDir, 'temporal'), port: 'auto', headless: true, log: console.log });
  const namespace = readDevServerConfig().namespaces[0];
  const stop = new AbortController();
  let workersDone: Promise<void> | undefined;
  try {
    const workerConnection = await NativeConnection.connect({ address: server.address });
    const workers = await createWorkers({ connection: workerConnection, namespace, role: 'all' });
    workersDone = runWorkersUntil(workers, stop.signal).finally(() => workerConnection.close());
    const client = new Client({ connection: await Connection.connect({ address: server.address }), namespace });
    const inputs = prepareInputs(dataDir);

    const runDrop = async (source: string, config: Partial<RunConfig>) => {
      const { handle, workflowId } = await startDrop(client, dropRefFor(source), { dataDir, config });
      await handle.result();
      return workflowId;
    };
    recordFixture(server.address, namespace, await runDrop(inputs.defaultDrop, {}), 'segment-data-drop');
    const sweepId = await runDrop(inputs.sweepDrop, SWEEP_CONFIG);
    recordFixture(server.address, namespace, sweepId, 'segment-data-drop-sweep');
    recordFixture(server.address, namespace, `${sweepId}-behavior-stats--distributed-kmeans-k2`, 'distributed-kmeans');
    const backfillId = 'backfill-record-history';
    await client.workflow.execute(backfillRange, {
      taskQueue: TASK_QUEUES.cpu, workflowId: backfillId,
      args: [{ root: inputs.tree, from: '2019-10-01', to: '2019-10-02', concurrency: 2, dataDir, config: BACKFILL_CONFIG }],
    });
    recordFixture(server.address, namespace, backfillId, 'backfill-range');
    fs.writeFileSync(path.join(FIXTURES, 'workflow-ids.json'), `${JSON.stringify(recordedIds, null, 2)}\n`);
    await client.connection.close();
  } finally {
    stop.abort();
    await workersDone?.catch(() => undefined);
    await server.stop();
  }
}

const [workflowId, target] = process.argv.slice(2);
if (workflowId && target) {
  const profile = loadConnectionProfile();
  writeHistory(profile.address, profile.namespace, workflowId, target);
} else {
  await recordAll();
}
process.exit(0);
