/**
 * npm run bench -- planted-lift [--cases a,b] [--encoders behavior-stats,tfidf] [--users N]
 *
 * Does the default selection rule ('stable-lift', successive halving) choose a segmentation whose
 * recommendation lift is as good as the best the sweep produced, on logs whose segments differ in
 * what they buy next (lib/tooling/planted-lift.ts)? Per case: the whole pipeline run directly
 * (bench/direct-pipeline.ts), then from the leaderboard the chosen candidate's test-half NDCG@10
 * lift against the best fully scored candidate's test-half lift. Goal (issue 15): the chosen one's
 * test lift lies within the best one's 95% interval. The planted segmentation's own test lift
 * (scored the same way) and its ARI against the chosen segments say how close the sweep came.
 * Logs are cached under bench/out/planted-lift (regenerated when their options change); runs go to
 * a scratch folder, so every case is timed from scratch.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CandidateMetrics, CandidateRef, LiftEstimate } from '../common/contracts';
import { resolveRunConfig, type EncoderName, type RunConfig } from '../common/run-config';
import { sameCandidate } from '../common/candidates';
import { deriveSeed } from '../common/seed';
import { projectPath } from '../lib/paths';
import { dropRefFor } from '../lib/runtime/drop-id';
import { installWorkerLogging } from '../lib/runtime/worker-logging';
import { writePlantedLiftLog, type PlantedLiftOptions } from '../lib/tooling/planted-lift';
import { runPipelineDirectly } from './direct-pipeline';
import { plantedTruthLift } from './planted-truth';
import { round } from './helpers';

interface PlantedCase extends Omit<PlantedLiftOptions, 'seed'> {
  name: string;
}

/**
 * Sizes x noise x planted K x kind of signal, kept to what runs in about ten minutes on two cores.
 * 'identity' cases are the ones where behavior-stats cannot be the best encoder; K = 14 the ones
 * where the best k is above 10.
 */
export const PLANTED_CASES: PlantedCase[] = [
  { name: 'behavior-k4-n30-3k', users: 3000, segments: 4, noise: 0.3, signal: 'behavior' },
  { name: 'identity-k4-n30-3k', users: 3000, segments: 4, noise: 0.3, signal: 'identity' },
  { name: 'identity-k8-n60-5k', users: 5000, segments: 8, noise: 0.6, signal: 'identity' },
  { name: 'identity-k14-n30-10k', users: 10000, segments: 14, noise: 0.3, signal: 'identity' },
  { name: 'behavior-k14-n50-5k', users: 5000, segments: 14, noise: 0.5, signal: 'behavior' },
];
const LOG_SEED = 1;

function parseOptions(args: string[]) {
  let cases = PLANTED_CASES;
  let encoders: EncoderName[] = ['behavior-stats', 'tfidf'];
  let users: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const value = args[++i] ?? '';
    if (args[i - 1] === '--cases') {
      const names = value.split(',');
      cases = PLANTED_CASES.filter((entry) => names.includes(entry.name));
      if (cases.length !== names.length) throw new Error(`unknown case in ${value}; known: ${PLANTED_CASES.map((entry) => entry.name).join(', ')}`);
    } else if (args[i - 1] === '--encoders') encoders = value.split(',') as EncoderName[];
    else if (args[i - 1] === '--users') users = Number(value);
    else throw new Error(`unknown option ${args[i - 1]}; usage: npm run bench -- planted-lift [--cases a,b] [--encoders e1,e2] [--users N]`);
  }
  return { cases: users ? cases.map((entry) => ({ ...entry, users })) : cases, encoders };
}

/** The case's log and truth labels, generated once per set of options. */
async function plantedLog(entry: PlantedCase): Promise<string> {
  const { name, ...options } = entry;
  const dir = projectPath('bench', 'out', 'planted-lift');
  const file = path.join(dir, `${name}-${options.users}.csv`);
  const madeFrom = JSON.stringify({ ...options, seed: LOG_SEED, version: 2 });
  const stamp = `${file}.options.json`;
  if (fs.existsSync(file) && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === madeFrom) return file;
  fs.mkdirSync(dir, { recursive: true });
  const { events } = await writePlantedLiftLog(file, { ...options, seed: LOG_SEED });
  fs.writeFileSync(stamp, madeFrom);
  console.log(`generated ${path.relative(projectPath(), file)}: ${events} events`);
  return file;
}

const pct = (lift: LiftEstimate | undefined) => (lift ? `${((lift.value ?? NaN) * 100).toFixed(0)}% [${((lift.ciLow ?? NaN) * 100).toFixed(0)}, ${((lift.ciHigh ?? NaN) * 100).toFixed(0)}]` : 'n/a');
const label = (ref: CandidateRef) => `${ref.encoder}/${ref.algorithm} ${ref.params}`;
const testLift = (row: CandidateMetrics) => row.downstream?.test?.ndcg10;
const testValue = (row: CandidateMetrics) => testLift(row)?.value ?? -Infinity;
const liftRow = (lift: LiftEstimate | undefined) => (lift ? { value: round(lift.value ?? NaN), ci: [round(lift.ciLow ?? NaN), round(lift.ciHigh ?? NaN)] } : null);

async function runCase(entry: PlantedCase, encoders: EncoderName[], scratch: string) {
  const input = await plantedLog(entry);
  const overrides: Partial<RunConfig> = { encoders, truthLabelsFile: `${input}.labels.csv`, seed: 'planted-lift' };
  const started = performance.now();
  const result = await runPipelineDirectly(input, path.join(scratch, entry.name), overrides);
  const seconds = (performance.now() - started) / 1000;
  const leaderboard = JSON.parse(fs.readFileSync(result.leaderboardPath, 'utf8')) as { rows: CandidateMetrics[]; evidence: { strength: string } | null; screening: { candidates: number; fullyScored: number } | null };
  const chosen = leaderboard.rows.find((row) => sameCandidate(row.candidate, result.chosen))!;
  const best = leaderboard.rows.reduce((a, b) => (testValue(b) > testValue(a) ? b : a));
  const config = resolveRunConfig(overrides);
  const truth = await plantedTruthLift(result.runDir, `${input}.labels.csv`, deriveSeed(config.seed || dropRefFor(input).dropId, 'evaluate'), config);
  const chosenLift = testLift(chosen);
  const bestLift = testLift(best)!;
  const within = testValue(chosen) >= (bestLift.ciLow ?? Infinity);
  const signalEncoder = entry.signal === 'identity' ? 'tfidf' : 'behavior-stats';
  const row = {
    case: entry.name, users: entry.users, planted_k: entry.segments, noise: entry.noise, signal: entry.signal,
    chosen: label(result.chosen), chosen_k: chosen.clusterSizes.length, chosen_encoder: chosen.candidate.encoder,
    encoder_matches_signal: chosen.candidate.encoder === signalEncoder,
    evidence: leaderboard.evidence?.strength ?? null,
    chosen_test_lift: liftRow(chosenLift), chosen_ari: round(chosen.external?.ari ?? NaN),
    best: label(best.candidate), best_test_lift: liftRow(bestLift), best_ari: round(best.external?.ari ?? NaN),
    within_interval: within,
    planted_test_lift: liftRow(truth?.test?.ndcg10),
    candidates: leaderboard.screening?.candidates ?? leaderboard.rows.length, fully_scored: leaderboard.screening?.fullyScored ?? leaderboard.rows.length,
    seconds: round(seconds),
  };
  console.log(`${entry.name}: chose ${row.chosen} (k=${row.chosen_k}, ${row.evidence}) test lift ${pct(chosenLift)}, ARI ${row.chosen_ari}; ` +
    `best ${row.best} ${pct(bestLift)}, ARI ${row.best_ari}; planted ${pct(truth?.test?.ndcg10)}; within: ${within}; ${seconds.toFixed(0)} s`);
  return row;
}

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const started = performance.now();
  const { cases, encoders } = parseOptions(args);
  installWorkerLogging('ERROR');
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bseg-bench-planted-lift-'));
  const rows = [];
  try {
    for (const entry of cases) rows.push(await runCase(entry, encoders, scratch));
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  console.log('\n| case | chosen (k) | chosen test lift [95%] | best test lift [95%] | within | planted lift | ARI chosen / best | s |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const row of rows) {
    const lift = (value: typeof row.best_test_lift) => (value ? `${(value.value * 100).toFixed(0)}% [${(value.ci[0] * 100).toFixed(0)}, ${(value.ci[1] * 100).toFixed(0)}]` : 'n/a');
    console.log(`| ${row.case} | ${row.chosen} (${row.chosen_k}) | ${lift(row.chosen_test_lift)} | ${row.best}: ${lift(row.best_test_lift)} | ${row.within_interval ? 'yes' : 'no'} | ${lift(row.planted_test_lift)} | ${row.chosen_ari} / ${row.best_ari} | ${row.seconds.toFixed(0)} |`);
  }
  return {
    cases: rows.length,
    within_interval: rows.filter((row) => row.within_interval).length,
    encoders,
    seconds: round((performance.now() - started) / 1000),
    rows,
  };
}
