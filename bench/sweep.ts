/**
 * sweep: what successive halving (docs/EVALUATION.md) costs and loses. The same synthetic drop is
 * swept three ways by the stage functions called directly (bench/direct-pipeline.ts), one after
 * the other in one data directory, so cleaning and embedding are computed once and each way pays
 * only its own sweep (clustering, screening, scoring, choosing; cached baselines are removed before each):
 *   every-k8:   k = 2..8, every candidate scored fully (the sweep before successive halving)
 *   halving-k20: k = 2..kMax (default 20), screened, the most promising scored fully (the default now)
 *   every-k20:  the same candidates, every one scored fully (what halving saves, and the reference choice)
 *   npm run bench -- sweep [--users 20000] [--k-max 20] [--encoders behavior-stats]
 * Last line: {"name":"sweep","ours_s": halving-k20's sweep, "reference":"every-k8", "reference_s", "speedup",
 *   "every_k20_s", "speedup_vs_every_k20", "fully_scored", "candidates", "same_choice", "choice_utility_gap" (the full-scoring choice's utility less halving's choice's, both from full scores), ...}.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { CandidateMetrics } from '../common/contracts';
import type { EncoderName, RunConfig } from '../common/run-config';
import { candidateKey } from '../common/candidates';
import { runFiles } from '../common/run-layout';
import { projectPath } from '../lib/paths';
import { installWorkerLogging } from '../lib/runtime/worker-logging';
import { utility } from '../activities/evaluation/stable-lift';
import { runPipelineDirectly } from './direct-pipeline';
import { cachedSyntheticLog, round } from './helpers';

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({ args, options: {
    users: { type: 'string', default: '20000' },
    'k-max': { type: 'string', default: '20' },
    encoders: { type: 'string', default: 'behavior-stats' },
  } });
  installWorkerLogging('ERROR');
  const users = Number(values.users);
  const input = await cachedSyntheticLog(users);
  const dataDir = projectPath('bench', 'out', `sweep-${users}`);
  fs.rmSync(dataDir, { recursive: true, force: true });
  const base: Partial<RunConfig> = { encoders: values.encoders.split(',') as EncoderName[], seed: '1' };
  const kMax = Number(values['k-max']);
  const ways = {
    'every-k8': { ...base, kMax: 8, fullyScoredShare: 1 },
    'halving-k20': { ...base, kMax },
    'every-k20': { ...base, kMax, fullyScoredShare: 1 },
  };
  // Cleaning and embedding are shared: a one-candidate run computes them, outside the timings.
  await runPipelineDirectly(input, dataDir, { ...base, kMax: 2, fullyScoredShare: 1 });
  const results: Record<string, { seconds: number; chosen: string; rows: CandidateMetrics[]; screened: number }> = {};
  for (const [name, config] of Object.entries(ways)) {
    forgetSweep(dataDir);
    const output = await runPipelineDirectly(input, dataDir, config);
    const leaderboard = JSON.parse(fs.readFileSync(output.leaderboardPath, 'utf8')) as { rows: CandidateMetrics[]; screening: { candidates: number } | null };
    results[name] = { seconds: output.sweepSeconds, chosen: candidateKey(output.chosen), rows: leaderboard.rows, screened: leaderboard.screening?.candidates ?? leaderboard.rows.length };
    console.log(`${name}: sweep ${output.sweepSeconds.toFixed(1)} s, ${leaderboard.rows.length} of ${results[name].screened} candidates scored fully, chose ${results[name].chosen}`);
  }
  const halving = results['halving-k20'];
  const everything = results['every-k20'];
  // The halving choice judged by the full scores of the run that scored every candidate, against that run's own choice.
  const fullUtility = new Map(everything.rows.map((row) => [candidateKey(row.candidate), utility(row)]));
  const gap = (fullUtility.get(everything.chosen) ?? NaN) - (fullUtility.get(halving.chosen) ?? NaN);
  return {
    users,
    ours_s: round(halving.seconds),
    reference: 'every-k8',
    reference_s: round(results['every-k8'].seconds),
    speedup: round(results['every-k8'].seconds / halving.seconds),
    every_k20_s: round(everything.seconds),
    speedup_vs_every_k20: round(everything.seconds / halving.seconds),
    candidates: halving.screened,
    fully_scored: halving.rows.length,
    chosen: { 'every-k8': results['every-k8'].chosen, 'halving-k20': halving.chosen, 'every-k20': everything.chosen },
    same_choice: halving.chosen === everything.chosen,
    choice_utility_gap: Number.isFinite(gap) ? round(gap) : null,
  };
}

/** Every way pays its own sweep: the sweep's checkpoints and the cached baselines are removed (the same seed would reuse them). */
function forgetSweep(dataDir: string): void {
  const runDir = path.join(dataDir, 'runs', fs.readdirSync(path.join(dataDir, 'runs'))[0]);
  for (const marker of fs.readdirSync(path.join(runDir, 'steps'))) {
    if (/^(cluster|screen|score)-|^(evaluate|publish)\.json$/.test(marker)) fs.rmSync(path.join(runDir, 'steps', marker));
  }
  fs.rmSync(runFiles.downstreamBaselines(runDir), { force: true });
  fs.rmSync(runFiles.screenBaselines(runDir), { force: true });
}
