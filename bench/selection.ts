/**
 * npm run bench -- selection [--datasets <dir>] [--limit N | --quick]
 *
 * Does the internal selection rule ('stable-silhouette', the fallback of 'stable-lift') pick, on
 * labelled sets, a candidate nearly as good as the best one the sweep produced? Regret = the best
 * candidate's ARI against the reference partition minus the chosen one's.
 *
 * Default: the 68 sets of ../shared/datasets/clustering-benchmarks in the 5 folds of
 * bench/selection-folds.json; each fold is judged with thresholds tuned on the other 4 only. With
 * --datasets, the rule as shipped (common/internal-rule-thresholds.ts) is applied to
 * every set of that folder, nothing tuned. --limit N keeps the N smallest sets; --quick is --limit 12.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { INTERNAL_RULE_THRESHOLDS, type InternalRuleThresholds } from '../common/internal-rule-thresholds';
import { projectPath } from '../lib/paths';
import { round } from './helpers';
import { listLabelledSets, SHARED_BENCHMARKS } from '../lib/tooling/labelled-sets';
import { FAMILIES, MAX_POINTS, scoredSet, type ScoredSet } from './selection-sweep';
import { crossValidate, judge, PREVIOUS_THRESHOLDS, RegretTable, SILHOUETTE_ALONE_GRID, summarize, SWEEPS, type FoldResult, type Outcome } from './selection-tuning';

export const FOLDS_FILE = projectPath('bench', 'selection-folds.json');

export function readFolds(file = FOLDS_FILE): string[][] {
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { folds: string[][] }).folds;
}

interface Options { dir: string; shared: boolean; limit: number }

function parseOptions(args: string[]): Options {
  let dir = SHARED_BENCHMARKS;
  let limit = Infinity;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--datasets') dir = path.resolve(args[++i] ?? '');
    else if (args[i] === '--limit') limit = Number(args[++i]);
    else if (args[i] === '--quick') limit = 12;
    else throw new Error(`unknown option ${args[i]}; usage: npm run bench -- selection [--datasets <dir>] [--limit N | --quick]`);
  }
  if (!(limit >= 1)) throw new Error('--limit needs a positive number of sets');
  if (!fs.existsSync(dir)) throw new Error(`no folder ${dir}`);
  return { dir, shared: path.resolve(dir) === path.resolve(SHARED_BENCHMARKS), limit };
}

/** The `limit` sets with the fewest points (a short run stays short), in name order. */
function smallest(dir: string, names: string[], limit: number): string[] {
  if (limit >= names.length) return names;
  const points = (name: string) => zlib.gunzipSync(fs.readFileSync(path.join(dir, `${name}.labels0.gz`))).toString('utf8').trim().split('\n').length;
  const sized = names.map((name) => ({ name, n: points(name) }));
  sized.sort((a, b) => a.n - b.n || a.name.localeCompare(b.name));
  return sized.slice(0, limit).map(({ name }) => name).sort();
}

const f3 = (value: number) => value.toFixed(3);
const describeThresholds = (t: InternalRuleThresholds) =>
  `stability >= ${t.minStability}, noise <= ${t.maxNoiseFraction}, smallest segment >= ${t.minSegmentShare}, density weight ${t.densityWeight}${t.noiseScoresZero ? ', noise scores 0' : ''}, ties within ${t.tieMargin} to the ${t.tieBreak === "most-stable" ? "most stable" : "fewest segments"}`;

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const started = performance.now();
  const options = parseOptions(args);
  const names = smallest(options.dir, listLabelledSets(options.dir), options.limit);
  if (names.length === 0) throw new Error(`no battery/name.data.gz + .labels0.gz sets in ${options.dir}`);

  console.log(`Scoring ${names.length} sets of ${options.dir} (every family's grid; sets above ${MAX_POINTS} points on a seeded sample of ${MAX_POINTS}; cached under bench/out/selection)`);
  const sets: ScoredSet[] = [];
  for (const name of names) {
    const set = await scoredSet(options.dir, name);
    sets.push(set);
    console.log(`  ${name}: n ${set.n}${set.clustered < set.n ? ` (sampled ${set.clustered})` : ''}, d ${set.d}, true k ${set.trueK}, ${set.candidates.length} candidates, ${set.seconds.toFixed(1)} s to score`);
  }
  const scoring = { scoring_s: round(sets.reduce((sum, set) => sum + set.seconds, 0)), subsampled_sets: sets.filter((set) => set.clustered < set.n).length, max_points: MAX_POINTS };
  const result = options.shared ? heldOutFolds(sets) : shippedRule(sets);
  return { ...result, ...scoring, wall_s: round((performance.now() - started) / 1000) };
}

/** The shared sets: thresholds tuned on 4 folds, judged on the 5th; then tuned on all (what ships). */
function heldOutFolds(sets: ScoredSet[]): Record<string, unknown> {
  const table = new RegretTable(sets);
  const folds = crossValidate(table, readFolds());
  const tuned = folds.flatMap((fold) => fold.tuned);
  const previous = folds.flatMap((fold) => fold.previous);
  // The rule before the structure score (silhouette alone, noise left out), tuned the same way.
  const silhouetteOnly = crossValidate(new RegretTable(sets, SILHOUETTE_ALONE_GRID), readFolds()).flatMap((fold) => fold.tuned);

  console.log('\nPer fold (held-out sets, every family in the sweep):');
  console.log('| fold | held-out sets | thresholds tuned on the other folds | training mean (all sweeps) | held-out mean / worst | previous thresholds: mean / worst |');
  console.log('|---|---|---|---|---|---|');
  for (const fold of folds) {
    const now = summarize(fold.tuned.filter((row) => row.sweep === 'all'));
    const before = summarize(fold.previous.filter((row) => row.sweep === 'all'));
    console.log(`| ${fold.fold} | ${fold.heldOut.length} | ${describeThresholds(fold.thresholds)} | ${f3(fold.trainingMean)} | ${f3(now.mean)} / ${f3(now.worst)} | ${f3(before.mean)} / ${f3(before.worst)} |`);
  }
  const perSweep = printPerSweep(tuned, previous, 'held-out folds, thresholds tuned without them', table, silhouetteOnly);
  const chosenFamily = printChosenFamilies(tuned.filter((row) => row.sweep === 'all'));
  const misses = printMisses(tuned.filter((row) => row.sweep === 'all'), sets);

  const shipped = table.tune(sets.map((set) => set.name));
  const inSample = summarize(judge(sets, sets.map((set) => set.name), shipped.thresholds).filter((row) => row.sweep === 'all'));
  console.log(`\nTuned on all ${sets.length} sets (what ships): ${describeThresholds(shipped.thresholds)}; in-sample (optimistic) regret, every family: mean ${f3(inSample.mean)}, worst ${f3(inSample.worst)}`);
  const current = INTERNAL_RULE_THRESHOLDS;
  if (sets.length === 68 && JSON.stringify(current) !== JSON.stringify(shipped.thresholds)) {
    console.log(`  (common/internal-rule-thresholds.ts holds ${describeThresholds(current)}: copy the values above there)`);
  }
  const overall = summarize(tuned.filter((row) => row.sweep === 'all'));
  const before = summarize(previous.filter((row) => row.sweep === 'all'));
  return {
    mode: 'held-out folds (bench/selection-folds.json): thresholds tuned on the other folds',
    datasets: sets.length,
    mean_regret: round(overall.mean),
    worst_regret: round(overall.worst),
    worst_set: overall.worstSet,
    previous_thresholds: { ...PREVIOUS_THRESHOLDS, mean_regret: round(before.mean), worst_regret: round(before.worst) },
    per_sweep: perSweep,
    chosen_family: chosenFamily,
    misses,
    folds: folds.map(foldSummary),
    shipped: { ...shipped.thresholds, in_sample_mean_regret: round(inSample.mean), in_sample_worst_regret: round(inSample.worst) },
    mean_best_ari: round(mean(tuned.filter((row) => row.sweep === 'all').map((row) => row.bestAri))),
    mean_chosen_ari: round(mean(tuned.filter((row) => row.sweep === 'all').map((row) => row.chosenAri))),
  };
}

/** Another folder: the rule exactly as shipped, no refitting. */
function shippedRule(sets: ScoredSet[]): Record<string, unknown> {
  const names = sets.map((set) => set.name);
  const shipped = judge(sets, names, INTERNAL_RULE_THRESHOLDS);
  const previous = judge(sets, names, PREVIOUS_THRESHOLDS);
  console.log(`\nThe shipped rule (${describeThresholds(INTERNAL_RULE_THRESHOLDS)}), nothing tuned on these sets:`);
  const perSweep = printPerSweep(shipped, previous, 'the shipped thresholds');
  const chosenFamily = printChosenFamilies(shipped.filter((row) => row.sweep === 'all'));
  const misses = printMisses(shipped.filter((row) => row.sweep === 'all'), sets);
  const overall = summarize(shipped.filter((row) => row.sweep === 'all'));
  const before = summarize(previous.filter((row) => row.sweep === 'all'));
  return {
    mode: 'shipped thresholds applied as they are',
    datasets: sets.length,
    mean_regret: round(overall.mean),
    worst_regret: round(overall.worst),
    worst_set: overall.worstSet,
    thresholds: INTERNAL_RULE_THRESHOLDS,
    previous_thresholds: { ...PREVIOUS_THRESHOLDS, mean_regret: round(before.mean), worst_regret: round(before.worst) },
    per_sweep: perSweep,
    chosen_family: chosenFamily,
    misses,
    mean_best_ari: round(mean(shipped.filter((row) => row.sweep === 'all').map((row) => row.bestAri))),
    mean_chosen_ari: round(mean(shipped.filter((row) => row.sweep === 'all').map((row) => row.chosenAri))),
  };
}

function mean(values: number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/**
 * `table` adds the hindsight bound (every set on its own best thresholds); `silhouetteOnly` the
 * held-out outcomes of the rule before the structure score (silhouette alone, noise left out), tuned the same way.
 */
function printPerSweep(now: Outcome[], before: Outcome[], label: string, table?: RegretTable, silhouetteOnly?: Outcome[]): Record<string, unknown> {
  console.log(`\nPer sweep (${label}); regret = best candidate's ARI minus the chosen one's:`);
  console.log(`| sweep | sets | mean regret | worst regret (set) |${silhouetteOnly ? ' silhouette alone (noise left out), tuned the same way: mean | worst |' : ''} previous thresholds: mean | worst |${table ? ' each set on its own best thresholds (hindsight): mean | worst |' : ''}`);
  console.log(`|---|---|---|---|${silhouetteOnly ? '---|---|' : ''}---|---|${table ? '---|---|' : ''}`);
  const summary: Record<string, unknown> = {};
  for (const sweep of SWEEPS) {
    const a = summarize(now.filter((row) => row.sweep === sweep));
    const b = summarize(before.filter((row) => row.sweep === sweep));
    const h = table?.hindsight(sweep);
    const s = silhouetteOnly ? summarize(silhouetteOnly.filter((row) => row.sweep === sweep)) : null;
    console.log(`| ${sweep === 'all' ? 'every family' : `${sweep} only`} | ${a.sets} | ${f3(a.mean)} | ${f3(a.worst)} (${a.worstSet}) |${s ? ` ${f3(s.mean)} | ${f3(s.worst)} |` : ''} ${f3(b.mean)} | ${f3(b.worst)} |${h ? ` ${f3(h.mean)} | ${f3(h.worst)} |` : ''}`);
    summary[sweep] = {
      mean_regret: round(a.mean), worst_regret: round(a.worst), previous_mean_regret: round(b.mean), previous_worst_regret: round(b.worst),
      ...(s ? { silhouette_alone_mean_regret: round(s.mean), silhouette_alone_worst_regret: round(s.worst) } : {}),
      ...(h ? { hindsight_mean_regret: round(h.mean), hindsight_worst_regret: round(h.worst) } : {}),
    };
  }
  return summary;
}

/** In the sweep of every family: which family the rule chose, and how those choices fared. */
function printChosenFamilies(outcomes: Outcome[]): Record<string, unknown> {
  console.log('\nThe chosen candidate\'s family (sweep of every family):');
  console.log('| family | chosen on | mean regret | worst regret (set) |');
  console.log('|---|---|---|---|');
  const summary: Record<string, unknown> = {};
  for (const family of FAMILIES) {
    const rows = outcomes.filter((row) => row.chosenFamily === family);
    if (rows.length === 0) continue;
    const s = summarize(rows);
    console.log(`| ${family} | ${s.sets} | ${f3(s.mean)} | ${f3(s.worst)} (${s.worstSet}) |`);
    summary[family] = { chosen_on: s.sets, mean_regret: round(s.mean), worst_regret: round(s.worst) };
  }
  return summary;
}

/**
 * The sets where the choice trails the best candidate by more than the 0.05 goal, and how many of
 * them no filter could fix: the best candidate's structure score is no higher than the chosen one's.
 */
function printMisses(outcomes: Outcome[], sets: ScoredSet[]): Record<string, number> {
  const misses = outcomes.filter((row) => row.regret > 0.05).sort((a, b) => b.regret - a.regret);
  const blind = misses.filter((row) => row.scoreMissesIt).length;
  console.log(`\nSets where the choice trails the best candidate by more than 0.05 (${misses.length} of ${outcomes.length}; ` +
    `on ${blind} of them the best candidate's structure score is no higher than the chosen one's, marked *):`);
  for (const row of misses) {
    const set = sets.find((candidate) => candidate.name === row.set)!;
    console.log(`  ${row.scoreMissesIt ? '*' : ' '} ${row.set} (true k ${set.trueK}): chose ${row.chosen} (ARI ${f3(row.chosenAri)}), best ${row.best} (ARI ${f3(row.bestAri)})`);
  }
  return { sets_over_0_05: misses.length, of_which_structure_score_prefers_the_chosen: blind };
}

function foldSummary(fold: FoldResult) {
  const now = summarize(fold.tuned.filter((row) => row.sweep === 'all'));
  return { fold: fold.fold, held_out: fold.heldOut, tuned_on: fold.tunedOn.length, thresholds: fold.thresholds, mean_regret: round(now.mean), worst_regret: round(now.worst) };
}
