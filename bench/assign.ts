/**
 * assign: scoring a drop into the pipeline's current segment model (assign mode: clean -> embed
 * with the model's encoder -> assign -> publish) against a full run of the same drop (clean ->
 * embed -> sweep -> evaluate -> publish), both through Temporal (real dev server, workers in this
 * process). Goal (issue 18): assign at least 5x faster at 100k users.
 *   npm run bench -- assign [--users 20000] [--repeats 1] [--encoders behavior-stats]
 * Each repeat uses a fresh data directory: the full run refits (no model yet) and registers the
 * model; the same events under another path (another drop, the same users) are then assigned into it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { dropRefFor } from '../lib/runtime/drop-id';
import type { EncoderName, RunConfig } from '../common/run-config';
import { projectPath } from '../lib/paths';
import { startDrop } from '../lib/client/pipeline-client';
import { installWorkerLogging } from '../lib/runtime/worker-logging';
import { withBenchTemporal } from './temporal-harness';
import { cachedSyntheticLog, round } from './helpers';

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({ args, options: {
    users: { type: 'string', default: '20000' }, repeats: { type: 'string', default: '1' }, encoders: { type: 'string', default: 'behavior-stats' },
  } });
  const users = Number(values.users);
  const repeats = Number(values.repeats);
  // The default sweep (k-means, k = 2..kMax with successive halving, stability refits, downstream scoring); the encoder is the one knob.
  const config: Partial<RunConfig> = { encoders: values.encoders.split(',') as EncoderName[], mode: 'auto', pipelineName: 'bench' };
  installWorkerLogging('ERROR');
  const input = await cachedSyntheticLog(users);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bseg-bench-assign-'));
  const full: number[] = [];
  const assign: number[] = [];
  try {
    await withBenchTemporal(scratch, async ({ client, taskQueues }) => {
      for (let repeat = 0; repeat < repeats; repeat++) {
        const dataDir = path.join(scratch, `data-${repeat}`);
        const timed = async (name: string, expected: 'refit' | 'assign') => {
          const copy = path.join(scratch, `${name}-${repeat}.csv`);
          fs.symlinkSync(input, copy);
          const started = performance.now();
          const { handle } = await startDrop(client, dropRefFor(copy), { dataDir, taskQueues, config });
          const output = await handle.result();
          if (output.segmentation?.mode !== expected) throw new Error(`expected a ${expected}, got ${JSON.stringify(output.segmentation)}`);
          return (performance.now() - started) / 1000;
        };
        full.push(await timed('full', 'refit'));
        assign.push(await timed('assign', 'assign'));
        console.log(`repeat ${repeat + 1}: full run ${full[repeat].toFixed(2)} s, assign ${assign[repeat].toFixed(2)} s`);
      }
    });
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  const ours = Math.min(...assign);
  const reference = Math.min(...full);
  return {
    ours_s: round(ours),
    reference: 'full run (sweep, evaluate, publish) of the same drop',
    reference_s: round(reference),
    speedup: round(reference / ours),
    users,
    encoders: config.encoders,
    input: path.relative(projectPath(), input),
    repeats,
    all_full_s: full.map(round),
    all_assign_s: assign.map(round),
  };
}
