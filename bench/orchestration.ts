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
import { dropRefFor } from '../lib/runtime/drop-id';
import type { RunConfig } from '../common/run-config';
import { projectPath } from '../lib/paths';
import { startDrop } from '../lib/client/pipeline-client';
import { installWorkerLogging } from '../lib/runtime/worker-logging';
import { runPipelineDirectly } from './direct-pipeline';
import { withBenchTemporal } from './temporal-harness';
import { cachedSyntheticLog, round } from './helpers';

/** Orchestration cost is what is measured, so the cheap encoder keeps embedding from dominating both sides. */
const CONFIG: Partial<RunConfig> = { encoders: ['behavior-stats'] };

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({ args, options: { users: { type: 'string', default: '100000' }, repeats: { type: 'string', default: '2' } } });
  const users = Number(values.users);
  const repeats = Number(values.repeats);
  installWorkerLogging('ERROR');
  const input = await cachedSyntheticLog(users);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bseg-bench-orchestration-'));
  const direct: number[] = [];
  const temporal: number[] = [];
  try {
    await withBenchTemporal(scratch, async ({ client, taskQueues }) => {
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
    });
  } finally {
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
