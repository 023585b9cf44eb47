/**
 * orchestration: the whole pipeline through Temporal (real dev server, workers in this process)
 * against the same stage functions called directly in one process (bench/direct-pipeline.ts), on
 * the same synthetic 100k-user input with the same config. Goal: speedup >= 0.9 (overhead < 10%).
 *   npm run bench -- orchestration [--users 100000] [--repeats 2]
 * Each repeat runs both modes into fresh data directories (no checkpoint reuse); the best time of
 * each mode is compared.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, bundleWorkflowCode } from '@temporalio/worker';
import { dropRefFor } from '../lib/runtime/drop-id';
import type { RunConfig } from '../common/run-config';
import { readDevServerConfig, startDevServer } from '../lib/client/dev-server';
import { projectPath } from '../lib/paths';
import { startDrop } from '../lib/client/pipeline-client';
import { writeSyntheticLog } from '../lib/tooling/synthetic-events';
import { installWorkerLogging } from '../lib/runtime/worker-logging';
import { WORKFLOWS_SOURCE, createWorkers, runWorkersUntil } from '../workers/create-workers';
import { runPipelineDirectly } from './direct-pipeline';
import { round } from './helpers';

/** Orchestration cost is what is measured, so the cheap encoder keeps embedding from dominating both sides. */
const CONFIG: Partial<RunConfig> = { encoders: ['behavior-stats'] };

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({ args, options: { users: { type: 'string', default: '100000' }, repeats: { type: 'string', default: '2' } } });
  const users = Number(values.users);
  const repeats = Number(values.repeats);
  installWorkerLogging('ERROR');
  const input = projectPath('bench', 'out', `synthetic-${users}.csv`);
  if (!fs.existsSync(input)) {
    fs.mkdirSync(path.dirname(input), { recursive: true });
    const { events } = await writeSyntheticLog(input, { users, seed: 1 });
    console.log(`generated ${input}: ${events} events`);
  }
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bseg-bench-orchestration-'));
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
  const direct: number[] = [];
  const temporal: number[] = [];
  try {
    for (let repeat = 0; repeat < repeats; repeat++) {
      let started = performance.now();
      await runPipelineDirectly(input, path.join(scratch, `direct-${repeat}`), CONFIG);
      direct.push((performance.now() - started) / 1000);
      // Each repeat is a different drop path, so it gets its own workflow id and run directory.
      const copy = path.join(scratch, `input-${repeat}.csv`);
      fs.symlinkSync(input, copy);
      started = performance.now();
      const { handle } = await startDrop(client, dropRefFor(copy), { dataDir: path.join(scratch, `temporal-${repeat}`), taskQueues, config: CONFIG });
      await handle.result();
      temporal.push((performance.now() - started) / 1000);
      console.log(`repeat ${repeat + 1}: direct ${direct[repeat].toFixed(2)} s, through Temporal ${temporal[repeat].toFixed(2)} s`);
    }
  } finally {
    stop.abort();
    await running;
    await client.connection.close();
    await workerConnection.close();
    await server.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  const ours = Math.min(...temporal);
  const reference = Math.min(...direct);
  return {
    ours_s: round(ours),
    reference: 'same stage functions called directly in one process',
    reference_s: round(reference),
    speedup: round(reference / ours),
    overhead_pct: round((ours / reference - 1) * 100),
    users,
    input: path.relative(projectPath(), input),
    repeats,
    all_temporal_s: temporal.map(round),
    all_direct_s: direct.map(round),
  };
}

const quietLogger = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error };
