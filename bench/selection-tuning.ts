import { selectByStableSilhouette, structureScore, structureWeight } from '../activities/evaluation/selection';
import type { InternalRuleThresholds } from '../common/internal-rule-thresholds';
import type { CandidateMetrics } from '../common/contracts';
import { FAMILIES, asCandidateMetrics, type Family, type ScoredSet } from './selection-sweep';

/**
 * Regret of the internal selection rule (best candidate's ARI minus the chosen one's) and the
 * choice of its thresholds on some sets only, so they can be judged on others.
 */

/** Which candidates a sweep offers the rule: every family's, or one family's alone. */
export type Sweep = 'all' | Family;
export const SWEEPS: Sweep[] = ['all', ...FAMILIES];

/** The thresholds before they were tuned on the labelled sets (0.75 and 0.005 were set on 10 of them). */
export const PREVIOUS_THRESHOLDS: InternalRuleThresholds = {
  minStability: 0.75, maxNoiseFraction: 0.25, minSegmentShare: 0, densityWeight: 0, noiseScoresZero: false, tieMargin: 0.005, tieBreak: 'fewest-segments',
};

/**
 * The values tried (12,000 combinations), the previous ones first: on equal mean and worst regret
 * the first wins. Noise users always score 0 here; SILHOUETTE_ALONE_GRID is the rule before the
 * density silhouette and that factor, tuned the same way.
 */
export const THRESHOLD_GRID: InternalRuleThresholds[] = [0.75, 0.7, 0.8, 0.65, 0.85, 0.6, 0.9, 0.5, 0.95, 0].flatMap((minStability) =>
  [0.25, 0.1, 0.5, 0.05, 1].flatMap((maxNoiseFraction) =>
    [0, 0.01, 0.02, 0.05].flatMap((minSegmentShare) =>
      [0, 0.25, 0.5, 0.75, 1].flatMap((densityWeight) =>
        [0.005, 0, 0.01, 0.02, 0.03, 0.05].flatMap((tieMargin) =>
          (['fewest-segments', 'most-stable'] as const).map((tieBreak) => ({ minStability, maxNoiseFraction, minSegmentShare, densityWeight, noiseScoresZero: true, tieMargin, tieBreak })))))));

/** The rule of 2026-11-30: the Euclidean silhouette alone, noise left out (2,400 combinations). */
export const SILHOUETTE_ALONE_GRID: InternalRuleThresholds[] = THRESHOLD_GRID
  .filter((point) => point.densityWeight === 0)
  .map((point) => ({ ...point, noiseScoresZero: false }));

export interface Outcome {
  set: string;
  sweep: Sweep;
  chosen: string;
  chosenFamily: Family;
  chosenAri: number;
  best: string;
  bestAri: number;
  regret: number;
  /** The best candidate's structure score (under these thresholds' weight) is no higher than the chosen one's: no filter could have picked it. */
  scoreMissesIt: boolean;
}

type Candidate = CandidateMetrics & { ari: number };
const describe = (row: Candidate) => `${row.candidate.algorithm} ${row.candidate.params}`;

/** The candidates of each sweep of one set, as the rule reads them. */
export function sweepsOf(set: ScoredSet): Map<Sweep, Candidate[]> {
  const all = set.candidates.map(asCandidateMetrics);
  const sweeps = new Map<Sweep, Candidate[]>([['all', all]]);
  for (const family of FAMILIES) sweeps.set(family, all.filter((row) => row.candidate.algorithm === family));
  return sweeps;
}

export function outcome(set: string, sweep: Sweep, candidates: Candidate[], thresholds: InternalRuleThresholds): Outcome {
  const chosen = selectByStableSilhouette(candidates, thresholds).chosen as Candidate;
  const best = candidates.reduce((top, row) => (row.ari > top.ari ? row : top));
  const weight = structureWeight(candidates, thresholds);
  return {
    set, sweep, chosen: describe(chosen), chosenFamily: chosen.candidate.algorithm as Family, chosenAri: chosen.ari,
    best: describe(best), bestAri: best.ari, regret: best.ari - chosen.ari,
    scoreMissesIt: !(structureScore(best, weight, thresholds.noiseScoresZero) > structureScore(chosen, weight, thresholds.noiseScoresZero)),
  };
}

/** Every set's regret under every grid point, per sweep: tuning then only sums rows of this table. */
export class RegretTable {
  /** regrets[grid point][set][sweep] */
  private readonly regrets: number[][][];

  constructor(readonly sets: ScoredSet[], readonly grid: InternalRuleThresholds[] = THRESHOLD_GRID) {
    const sweeps = sets.map(sweepsOf);
    this.regrets = grid.map((thresholds) => sets.map((set, s) => SWEEPS.map((sweep) => outcome(set.name, sweep, sweeps[s].get(sweep)!, thresholds).regret)));
  }

  /**
   * The grid point with the least mean regret over these sets and every sweep (the rule must serve
   * whichever algorithms a run sweeps), then the least worst regret, then the first in grid order.
   */
  tune(setNames: string[]): { thresholds: InternalRuleThresholds; mean: number; worst: number } {
    const indices = setNames.map((name) => {
      const index = this.sets.findIndex((set) => set.name === name);
      if (index < 0) throw new Error(`no scored set named ${name}`);
      return index;
    });
    if (indices.length === 0) throw new Error('nothing to tune on');
    let best = { point: -1, mean: Infinity, worst: Infinity };
    this.grid.forEach((_, point) => {
      const values = indices.flatMap((s) => this.regrets[point][s]);
      const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
      const worst = Math.max(...values);
      if (mean < best.mean - 1e-12 || (Math.abs(mean - best.mean) <= 1e-12 && worst < best.worst - 1e-12)) best = { point, mean, worst };
    });
    if (best.point < 0) throw new Error(`no thresholds have a finite mean regret on ${setNames.join(', ')}`);
    return { thresholds: this.grid[best.point], mean: best.mean, worst: best.worst };
  }

  /**
   * Each set's least regret over the grid, every set choosing its own thresholds in hindsight: a
   * bound no thresholds of this rule can beat on these sets.
   */
  hindsight(sweep: Sweep): RegretSummary {
    const w = SWEEPS.indexOf(sweep);
    const least = this.sets.map((set, s) => ({ set: set.name, regret: Math.min(...this.grid.map((_, point) => this.regrets[point][s][w])) }));
    return summarize(least);
  }
}

export interface FoldResult {
  fold: number;
  heldOut: string[];
  tunedOn: string[];
  thresholds: InternalRuleThresholds;
  /** On the sets tuned on (every sweep). */
  trainingMean: number;
  /** The held-out sets under the thresholds tuned without them, and under the previous thresholds. */
  tuned: Outcome[];
  previous: Outcome[];
}

/**
 * k-fold over data sets: each fold's sets are judged with thresholds tuned on the other folds'
 * sets only. Sets missing from `sets` (a --limit run) are left out of both sides.
 */
export function crossValidate(table: RegretTable, folds: string[][]): FoldResult[] {
  const present = new Set(table.sets.map((set) => set.name));
  return folds.map((names, f) => {
    const heldOut = names.filter((name) => present.has(name));
    const tunedOn = folds.flatMap((other, g) => (g === f ? [] : other.filter((name) => present.has(name))));
    if (heldOut.length === 0 || tunedOn.length === 0) return null;
    const { thresholds, mean } = table.tune(tunedOn);
    return { fold: f + 1, heldOut, tunedOn, thresholds, trainingMean: mean, tuned: judge(table.sets, heldOut, thresholds), previous: judge(table.sets, heldOut, PREVIOUS_THRESHOLDS) };
  }).filter((result): result is FoldResult => result !== null);
}

/** Outcomes of every sweep of the named sets under fixed thresholds. */
export function judge(sets: ScoredSet[], names: string[], thresholds: InternalRuleThresholds): Outcome[] {
  return names.flatMap((name) => {
    const set = sets.find((candidate) => candidate.name === name);
    if (!set) throw new Error(`no scored set named ${name}`);
    const sweeps = sweepsOf(set);
    return SWEEPS.map((sweep) => outcome(name, sweep, sweeps.get(sweep)!, thresholds));
  });
}

export interface RegretSummary { sets: number; mean: number; worst: number; worstSet: string }

export function summarize(outcomes: Array<Pick<Outcome, 'set' | 'regret'>>): RegretSummary {
  if (outcomes.length === 0) return { sets: 0, mean: NaN, worst: NaN, worstSet: '' };
  const worst = outcomes.reduce((top, row) => (row.regret > top.regret ? row : top));
  return { sets: outcomes.length, mean: outcomes.reduce((sum, row) => sum + row.regret, 0) / outcomes.length, worst: worst.regret, worstSet: worst.set };
}
