import type { CandidateMetrics } from '../../common/contracts';
import { INTERNAL_RULE_THRESHOLDS, type InternalRuleThresholds } from '../../common/internal-rule-thresholds';
import type { SelectionRule } from '../../common/run-config';
import { algorithmNamed } from '../clustering/algorithms';
import { stabilityScore } from './stability';
import { chooseByStableLift, NOISE_PENALTY, NOISE_TARGET, STABILITY_PENALTY, STABILITY_TARGET, type Evidence } from './stable-lift';

/** Segments found: the candidate's cluster count (DBSCAN decides it; noise is not a segment). */
function segmentCount(row: CandidateMetrics): number {
  return row.clusterSizes.length || row.candidate.k;
}

/** 'silhouette': candidates within this silhouette of the best are tied (the smallest k wins); 'stable-silhouette' has its own, tuned. */
export const SILHOUETTE_TIE_MARGIN = 0.005;

export interface SelectionSettings {
  rule: SelectionRule;
  /** 'stable-silhouette': candidates whose seed-ARI stability is below this are passed over. */
  minStability: number;
}

interface Objective {
  name: string;
  value: (row: CandidateMetrics) => number | null | undefined;
}

/** What the 'pareto' rule trades off; all "higher is better". */
const OBJECTIVES: Objective[] = [
  { name: 'silhouette', value: (row) => row.silhouette },
  { name: 'stability', value: (row) => stabilityScore(row.stability) },
  { name: 'NDCG@10 lift over popularity', value: (row) => row.downstream?.lift.ndcg10?.value },
];

/** `rows`: the candidates it chose among, whose algorithms decide the internal rule's density weight. */
export function describeSelectionRule(rule: SelectionRule, minStability = INTERNAL_RULE_THRESHOLDS.minStability, rows?: CandidateMetrics[]): string {
  const weight = rows ? structureWeight(segmentedOnly(rows), INTERNAL_RULE_THRESHOLDS) : INTERNAL_RULE_THRESHOLDS.densityWeight;
  if (rule === 'stable-lift') {
    return `the highest utility: the lower 95% bound of the NDCG@10 lift over popularity on validation users, less ${STABILITY_PENALTY} x the stability ` +
      `below ${STABILITY_TARGET} and ${NOISE_PENALTY} x the noise share above ${NOISE_TARGET}; candidates whose validation intervals overlap the best's are tied ` +
      'and go to the most stable, then the fewest segments; with too few held-out users or no surely positive lift, the internal rule: ' +
      `${internalRule(weight, minStability)}; the chosen lift is re-measured on test users`;
  }
  if (rule === 'stable-silhouette') return internalRule(weight, minStability);
  return rule === 'silhouette'
    ? `highest silhouette; candidates within ${SILHOUETTE_TIE_MARGIN} of the best go to the smallest k`
    : 'Pareto front of silhouette, stability (seed ARI) and NDCG@10 lift over popularity (objectives some candidate lacks are left out); ' +
      'on the front, the best mean rank over the objectives; ties go to the smallest k';
}

function internalRule(weight: number, minStability: number): string {
  const { maxNoiseFraction, minSegmentShare, tieMargin, tieBreak, densityWeight } = INTERNAL_RULE_THRESHOLDS;
  const leftOut = weight === 0 && densityWeight > 0
    ? ' (the density silhouette is left out: every candidate is a convex partition, or some has none)'
    : '';
  return `the highest ${describeStructureScore(weight)}${leftOut}, noise users counting as 0, among candidates with stability ` +
    `(seed ARI; subsample ARI for deterministic algorithms) >= ${minStability}, at most ${maxNoiseFraction * 100}% noise, no segment under ` +
    `${minSegmentShare * 100}% of the segmented users and an NDCG@10 lift over popularity that is not significantly negative (all candidates if none qualifies); ` +
    `candidates within ${tieMargin} of the best go to the ${tieBreak === 'most-stable' ? 'most stable, then the fewest segments' : 'fewest segments'}`;
}

/** The internal rule's ranking score, in words (its noise factor aside: structureScore). */
function describeStructureScore(weight = INTERNAL_RULE_THRESHOLDS.densityWeight): string {
  if (weight <= 0) return 'silhouette';
  return `structure score (${weight >= 1 ? 'density silhouette' : `${round2(1 - weight)} x silhouette + ${round2(weight)} x density silhouette`})`;
}

const round2 = (value: number) => Number(value.toFixed(2));

/**
 * What the internal rule ranks by: the Euclidean silhouette blended with the silhouette on
 * density-connected distances, which sees rings, spirals and elongated segments the Euclidean one
 * cuts across (activities/metrics/density-silhouette.ts; the weight is tuned with the rule's other
 * thresholds, common/internal-rule-thresholds.ts), times the share of users not left as noise when
 * `noiseScoresZero`: noise users are not segmented, so they count as scoring 0, neither well nor
 * badly placed (as DBCV counts them). Both silhouettes leave noise out (as scikit-learn's does),
 * which flatters a partition that calls its hard users noise; the factor makes that cost
 * something under the noise cap (for a negative blend it pulls towards 0, as such an average would).
 * `weight` is structureWeight's for the candidates compared.
 */
export function structureScore(row: CandidateMetrics, weight: number, noiseScoresZero = INTERNAL_RULE_THRESHOLDS.noiseScoresZero): number {
  const blended = weight > 0 ? (1 - weight) * row.silhouette + weight * (row.densitySilhouette as number) : row.silhouette;
  return noiseScoresZero ? (1 - (row.shape?.noiseFraction ?? 0)) * blended : blended;
}

const hasDensitySilhouette = (row: CandidateMetrics) => typeof row.densitySilhouette === 'number' && Number.isFinite(row.densitySilhouette);

/**
 * The density weight for a set of candidates: 0 when every one is a convex partition
 * (densityWeightFor) or when some has no density silhouette (scored before it existed, or fewer
 * than 2 segments in its sample), so that candidates are never ranked on two different scales.
 */
export function structureWeight(rows: CandidateMetrics[], thresholds: InternalRuleThresholds = INTERNAL_RULE_THRESHOLDS): number {
  const scored = rows.filter((row) => Number.isFinite(row.silhouette));
  return scored.every(hasDensitySilhouette) ? densityWeightFor(scored.map((row) => row.candidate.algorithm), thresholds) : 0;
}

export interface Selection {
  chosen: CandidateMetrics;
  reason: string;
  /** How strongly held-out recommendation value backs the choice ('stable-lift' only). */
  evidence?: Evidence;
}

export function selectCandidate(all: CandidateMetrics[], rule: SelectionRule = 'silhouette', minStability = INTERNAL_RULE_THRESHOLDS.minStability): Selection {
  const rows = segmentedOnly(all);
  const internal = { ...INTERNAL_RULE_THRESHOLDS, minStability };
  if (rule === 'silhouette') return bySilhouette(rows);
  if (rule === 'stable-lift') return byStableLift(rows, internal);
  return rule === 'pareto' ? byParetoFront(rows) : byStableSilhouette(rows, internal);
}

/**
 * 'stable-silhouette' with thresholds other than the shipped ones: what `npm run bench -- selection`
 * tunes on training folds and judges on held-out ones.
 */
export function selectByStableSilhouette(all: CandidateMetrics[], thresholds: InternalRuleThresholds): Selection {
  return byStableSilhouette(segmentedOnly(all), thresholds);
}

function segmentedOnly(all: CandidateMetrics[]): CandidateMetrics[] {
  if (all.length === 0) throw new Error('no candidates to select from');
  // Fewer than 2 segments (e.g. HDBSCAN finding only noise) is no segmentation, and its missing
  // scores would make every rule drop an objective for all candidates.
  const segmented = all.filter((row) => segmentCount(row) >= 2);
  return segmented.length > 0 ? segmented : all;
}

/** Reproducible under refits (unmeasured counts as stable), not mostly noise, and no segment of a handful of users. */
function isStable(row: CandidateMetrics, thresholds: InternalRuleThresholds): boolean {
  return (stabilityScore(row.stability) ?? 1) >= thresholds.minStability && (row.shape?.noiseFraction ?? 0) <= thresholds.maxNoiseFraction &&
    smallestSegmentShare(row) >= thresholds.minSegmentShare;
}

/** The smallest segment's share of the segmented users (noise left out); 1 when sizes are not known. */
function smallestSegmentShare(row: CandidateMetrics): number {
  const total = row.clusterSizes.reduce((sum, size) => sum + size, 0);
  return total > 0 ? Math.min(...row.clusterSizes) / total : 1;
}

/**
 * Segments exist to serve recommendations, and silhouettes measured in different encoders' spaces
 * cannot be compared, so the candidate whose segment-popularity recommendations beat global
 * popularity most surely on validation users wins, graded by stability and noise, with the
 * strength of that evidence stated (activities/evaluation/stable-lift.ts). On planted synthetic
 * segments with segment-specific interests this finds the best partition across encoders
 * (test/integration/evaluation-synthetic.test.ts); without held-out events it falls back to the
 * stable silhouette, and says so.
 */
function byStableLift(rows: CandidateMetrics[], thresholds: InternalRuleThresholds): Selection {
  const internal = (pool: CandidateMetrics[]) => byStableSilhouette(pool, thresholds);
  const choice = chooseByStableLift(rows, internal);
  if (choice) return choice;
  const fallback = internal(rows);
  // Held-out events may exist and still give no interval: a lift is undefined while global popularity hits none of them.
  const why = rows.some((row) => row.downstream)
    ? 'no validation lift could be measured (global popularity hit none of the validation users\' held-out items, so a lift over it is undefined)'
    : 'no user has held-out events';
  return {
    ...fallback,
    reason: `${why}, so the internal rule decided: ${fallback.reason}`,
    evidence: { strength: 'insufficient', statement: `${why[0].toUpperCase()}${why.slice(1)}, so nothing shows whether any segmentation recommends better than global popularity; the segmentation was chosen on internal structure and stability alone.` },
  };
}

/**
 * Silhouette alone prefers splits that refits do not reproduce (a k that cuts through a dense
 * region lands somewhere else with another seed); requiring stability first fixes part of that, and
 * passing over candidates with a sliver of a segment (outliers split off) another part. The
 * thresholds are tuned on 68 labelled sets (common/internal-rule-thresholds.ts); ranking by the
 * structure score rather than the silhouette lets ring-, spiral- and chain-shaped segments win
 * where they are. On held-out folds a k-means sweep's choice trails its best candidate by 0.041 ARI
 * on average, a sweep of every algorithm by 0.185 (0.281 with the silhouette alone), mostly where
 * HDBSCAN splits off a dense core or blobs overlap (`npm run bench -- selection`,
 * docs/EVALUATION.md). Segmentations that make
 * recommendations significantly worse than global popularity are passed over too: they are worse
 * than no segmentation for the product's purpose.
 */
function byStableSilhouette(rows: CandidateMetrics[], thresholds: InternalRuleThresholds) {
  const stable = rows.filter((row) => isStable(row, thresholds));
  const useful = stable.filter((row) => !(row.downstream?.lift.ndcg10?.ciHigh !== undefined && row.downstream.lift.ndcg10.ciHigh !== null && row.downstream.lift.ndcg10.ciHigh < 0));
  const pool = useful.length > 0 ? useful : stable.length > 0 ? stable : rows;
  const { chosen, reason } = byStructureScore(pool, thresholds, structureWeight(rows, thresholds));
  const passedOver = rows.length - pool.length;
  const score = stabilityScore(chosen.stability);
  const stability = score !== null ? `; stability ${score.toFixed(3)}` : '';
  return {
    chosen,
    reason: `${reason}${passedOver > 0 ? ` (${passedOver} of ${rows.length} candidates passed over as unstable, mostly noise, with a sliver of a segment, or harmful to recommendations)` : ''}${stability}`,
  };
}

/**
 * The density silhouette is there to see segments of any shape; when every candidate is a convex
 * partition (k-means, mini-batch and distributed k-means, ward: their segments are convex by
 * construction) it has no such segment to see, while on overlapping blobs its distances collapse
 * (a chain of dense users links them) and only add noise: then the Euclidean silhouette, the index
 * made for convex segments, ranks alone. On the labelled sets a uniform weight let the k-means
 * sweep's worst held-out regret reach 0.81 (sipu/a1); this exception was added after seeing that
 * (docs/EVALUATION.md).
 */
export function densityWeightFor(algorithms: string[], thresholds: InternalRuleThresholds = INTERNAL_RULE_THRESHOLDS): number {
  return algorithms.every((name) => algorithmNamed(name).convexSegments) ? 0 : thresholds.densityWeight;
}

function bySilhouette(all: CandidateMetrics[]) {
  return byScore(all, { score: (row) => row.silhouette, name: 'silhouette', tieMargin: SILHOUETTE_TIE_MARGIN, tieBreak: 'fewest-segments' });
}

function byStructureScore(all: CandidateMetrics[], thresholds: InternalRuleThresholds, weight: number) {
  const { tieMargin, tieBreak, noiseScoresZero } = thresholds;
  const score = (row: CandidateMetrics) => structureScore(row, weight, noiseScoresZero);
  // How a score that is not simply the silhouette was made, for the reason.
  const formula = (row: CandidateMetrics) => {
    const noise = noiseScoresZero ? row.shape?.noiseFraction ?? 0 : 0;
    if (weight <= 0 && noise === 0) return '';
    const blend = weight > 0
      ? `(${round2(1 - weight)} x silhouette ${row.silhouette.toFixed(4)} + ${round2(weight)} x density silhouette ${(row.densitySilhouette as number).toFixed(4)})`
      : `silhouette ${row.silhouette.toFixed(4)}`;
    return noise > 0 ? `${blend} x ${(100 * (1 - noise)).toFixed(1)}% of users not noise` : blend;
  };
  const name = weight > 0 || all.some((row) => noiseScoresZero && (row.shape?.noiseFraction ?? 0) > 0) ? 'structure score' : 'silhouette';
  return byScore(all, { score, name, formula, tieMargin, tieBreak });
}

interface Ranking {
  score: (row: CandidateMetrics) => number;
  name: string;
  /** How a row's score was made ('' when it is its silhouette). */
  formula?: (row: CandidateMetrics) => string;
  tieMargin: number;
  tieBreak: InternalRuleThresholds['tieBreak'];
}

function byScore(all: CandidateMetrics[], { score, name, formula, tieMargin, tieBreak }: Ranking) {
  // A partition with fewer than 2 segments has no silhouette; it only wins when nothing else exists.
  const rows = all.filter((row) => Number.isFinite(row.silhouette));
  if (rows.length === 0) return { chosen: all[0], reason: 'no candidate has a silhouette (fewer than 2 segments everywhere); the first candidate is kept' };
  const best = Math.max(...rows.map(score));
  const nearBest = rows.filter((row) => score(row) >= best - tieMargin);
  const stability = (row: CandidateMetrics) => stabilityScore(row.stability) ?? 1;
  nearBest.sort((a, b) => (tieBreak === 'most-stable' ? stability(b) - stability(a) : 0) || segmentCount(a) - segmentCount(b) || score(b) - score(a));
  const chosen = nearBest[0];
  const why = tieBreak === 'most-stable'
    ? `its stability ${stability(chosen).toFixed(3)} is the highest among such candidates`
    : `${segmentCount(chosen)} segments is the fewest among such candidates`;
  const made = formula?.(chosen) ?? '';
  const value = `${score(chosen).toFixed(4)}${made ? ` = ${made}` : ''}`;
  const reason = score(chosen) < best
    ? `${name} ${value} is within ${tieMargin} of the best (${best.toFixed(4)}) and ${why}`
    : made ? `highest ${name} of ${rows.length} candidates: ${value}` : `highest ${name} (${value}) of ${rows.length} candidates`;
  return { chosen, reason };
}

/**
 * No single internal score finds the right k (silhouette favours few, coarse segments; lift
 * favours many small ones), so the rule keeps only candidates no other candidate beats on every
 * objective, then takes the one that ranks best on average. Ranks, not raw values, so objectives
 * on different scales weigh the same.
 */
function byParetoFront(rows: CandidateMetrics[]) {
  const objectives = OBJECTIVES.filter((objective) => rows.every((row) => Number.isFinite(objective.value(row) ?? NaN)));
  if (objectives.length === 0) return bySilhouette(rows);
  const values = rows.map((row) => objectives.map((objective) => objective.value(row) as number));
  const dominated = (a: number[], b: number[]) => b.every((value, i) => value >= a[i]) && b.some((value, i) => value > a[i]);
  const front = rows.map((_, i) => i).filter((i) => !values.some((other, j) => j !== i && dominated(values[i], other)));
  // Rank of each candidate per objective over all candidates: 1 = best, 0 = worst (ties share the mean rank).
  const meanRank = (i: number) => objectives.reduce((sum, _, o) => {
    const better = values.filter((row) => row[o] > values[i][o]).length;
    const equal = values.filter((row) => row[o] === values[i][o]).length - 1;
    return sum + (rows.length > 1 ? 1 - (better + equal / 2) / (rows.length - 1) : 1);
  }, 0) / objectives.length;
  const scored = front.map((i) => ({ i, score: meanRank(i) }));
  scored.sort((a, b) => b.score - a.score || segmentCount(rows[a.i]) - segmentCount(rows[b.i]));
  const chosen = rows[scored[0].i];
  const reason = `on the Pareto front of ${objectives.map((objective) => objective.name).join(', ')} (${front.length} of ${rows.length} candidates), ` +
    `with the best mean rank (${scored[0].score.toFixed(3)}); ` +
    objectives.map((objective) => `${objective.name} ${(objective.value(chosen) as number).toFixed(4)}`).join(', ');
  return { chosen, reason };
}
