/**
 * External clustering metrics: agreement between a predicted segmentation and known labels.
 * Each follows scikit-learn's definition (sklearn.metrics.cluster._supervised), including its
 * special cases and, where results are rounding-sensitive, its order of operations, so the values
 * can be compared with the Python reference to 1e-6 relative.
 *
 * Labels are arbitrary numbers; -1 (density-clustering noise) counts as one more cluster, as in
 * scikit-learn (see contingency.ts). Everything is computed from the sparse contingency table:
 * O(n + non-empty cells) memory.
 */
import { contingencyTable, type ContingencyTable } from './contingency';
import { expectedMutualInformation } from './expected-mutual-information';

export { contingencyTable, denseCounts, type ContingencyTable } from './contingency';

/** How NMI and AMI combine the two entropies into their normalizer (scikit-learn's `average_method`). */
export type AverageMethod = 'min' | 'geometric' | 'arithmetic' | 'max';

export interface HomogeneityCompletenessVMeasure {
  homogeneity: number;
  completeness: number;
  vMeasure: number;
}

export interface ExternalMetrics extends HomogeneityCompletenessVMeasure {
  ari: number;
  /** Adjusted mutual information, arithmetic average (scikit-learn's default). */
  ami: number;
  /** Normalized mutual information, arithmetic average (scikit-learn's default). */
  nmi: number;
  /** Mutual information in nats. */
  mutualInformation: number;
  fowlkesMallows: number;
  purity: number;
  contingency: ContingencyTable;
}

/** All the metrics below from one contingency table. */
export function externalMetrics(truth: ArrayLike<number>, predicted: ArrayLike<number>): ExternalMetrics {
  const table = contingencyTable(truth, predicted);
  return {
    ari: ariOf(table),
    ami: amiOf(table, 'arithmetic'),
    nmi: nmiOf(table, 'arithmetic'),
    mutualInformation: mutualInformationOf(table),
    ...homogeneityCompletenessVMeasureOf(table, 1),
    fowlkesMallows: fowlkesMallowsOf(table),
    purity: purityOf(table),
    contingency: table,
  };
}

/**
 * Adjusted Rand index between two labelings of the same points (scikit-learn's definition,
 * including its special cases: 1.0 when both put every point in one cluster or each point alone).
 */
export function adjustedRandIndex(truth: ArrayLike<number>, predicted: ArrayLike<number>): number {
  return ariOf(contingencyTable(truth, predicted));
}

/** Mutual information in nats (scikit-learn's `mutual_info_score`); 0 when either side has one cluster. */
export function mutualInformation(truth: ArrayLike<number>, predicted: ArrayLike<number>): number {
  return mutualInformationOf(contingencyTable(truth, predicted));
}

/** Mutual information over the averaged entropies; 1.0 when both sides are a single cluster. */
export function normalizedMutualInformation(
  truth: ArrayLike<number>,
  predicted: ArrayLike<number>,
  averageMethod: AverageMethod = 'arithmetic',
): number {
  return nmiOf(contingencyTable(truth, predicted), averageMethod);
}

/**
 * Mutual information adjusted for chance: 0 for random labelings, 1 for identical ones.
 * 1.0 when both sides are a single cluster, 0.0 when exactly one is.
 *
 * Beware one degenerate case, inherited from scikit-learn: when MI, its expectation and the
 * normalizer coincide (one labeling puts every point alone and the method is 'min', for instance)
 * AMI is 0/0, and both scikit-learn and this code return the ratio of two rounding errors. The
 * values differ between the two and mean nothing (scikit-learn gives 0.87, 1.5 or -1.0 there).
 */
export function adjustedMutualInformation(
  truth: ArrayLike<number>,
  predicted: ArrayLike<number>,
  averageMethod: AverageMethod = 'arithmetic',
): number {
  return amiOf(contingencyTable(truth, predicted), averageMethod);
}

/**
 * Homogeneity (each cluster holds one class), completeness (each class sits in one cluster) and
 * their weighted harmonic mean; `beta` > 1 weights completeness more.
 */
export function homogeneityCompletenessVMeasure(
  truth: ArrayLike<number>,
  predicted: ArrayLike<number>,
  beta = 1,
): HomogeneityCompletenessVMeasure {
  return homogeneityCompletenessVMeasureOf(contingencyTable(truth, predicted), beta);
}

/** Geometric mean of pairwise precision and recall; 0.0 when no pair of points shares a cluster on both sides. */
export function fowlkesMallows(truth: ArrayLike<number>, predicted: ArrayLike<number>): number {
  return fowlkesMallowsOf(contingencyTable(truth, predicted));
}

/**
 * Fraction of points whose true class is the majority class of their predicted cluster (not in
 * scikit-learn). Rewards over-segmentation: every point alone scores 1. 1.0 for no points.
 */
export function purity(truth: ArrayLike<number>, predicted: ArrayLike<number>): number {
  return purityOf(contingencyTable(truth, predicted));
}

const EPSILON = 2 ** -52; // numpy's finfo(float64).eps

function pairs(count: number): number {
  return (count * (count - 1)) / 2;
}

function ariOf(table: ContingencyTable): number {
  const { n, rows, columns } = table;
  const rowCount = rows.length;
  const columnCount = columns.length;
  if ((rowCount === 1 && columnCount === 1) || (rowCount === n && columnCount === n) || n < 2) return 1;
  // Pair counts are integers below n^2 / 2 < 2^53: these sums are exact.
  let index = 0;
  for (const count of table.cellCounts) index += pairs(count);
  let rowPairs = 0;
  for (const count of table.rowSums) rowPairs += pairs(count);
  let columnPairs = 0;
  for (const count of table.columnSums) columnPairs += pairs(count);
  const expected = (rowPairs * columnPairs) / pairs(n);
  const maximum = (rowPairs + columnPairs) / 2;
  return maximum === expected ? 0 : (index - expected) / (maximum - expected);
}

function mutualInformationOf(table: ContingencyTable): number {
  const { n, rowSums, columnSums } = table;
  // MI <= min(H(truth), H(predicted)), and a single cluster has zero entropy.
  if (rowSums.length <= 1 || columnSums.length <= 1) return 0;
  const logN = Math.log(n);
  const sum = new CompensatedSum();
  for (let k = 0; k < table.cellCounts.length; k++) {
    const count = table.cellCounts[k];
    const share = count / n;
    // scikit-learn's grouping: share * log(count / n) + share * log(n^2 / (row size * column size)).
    const logOuter = -Math.log(rowSums[table.cellRows[k]] * columnSums[table.cellColumns[k]]) + logN + logN;
    const term = share * (Math.log(count) - logN) + share * logOuter;
    // scikit-learn flushes rounding noise to zero term by term, and clips the total at zero.
    sum.add(Math.abs(term) < EPSILON ? 0 : term);
  }
  return Math.max(sum.value(), 0);
}

/** Entropy in nats of a labeling with these cluster sizes. */
function entropyOf(sizes: Int32Array, n: number): number {
  if (sizes.length <= 1) return 0;
  const logN = Math.log(n);
  const sum = new CompensatedSum();
  for (const size of sizes) sum.add((size / n) * (Math.log(size) - logN));
  return -sum.value();
}

const AVERAGE_METHODS: readonly AverageMethod[] = ['min', 'geometric', 'arithmetic', 'max'];

/** Checked up front so a typo fails on every input, not only on those that reach the normalizer. */
function assertAverageMethod(method: AverageMethod): void {
  if (!AVERAGE_METHODS.includes(method)) {
    throw new Error(`averageMethod must be 'min', 'geometric', 'arithmetic' or 'max', got '${String(method)}'`);
  }
}

function averageOf(u: number, v: number, method: AverageMethod): number {
  switch (method) {
    case 'min': return Math.min(u, v);
    case 'geometric': return Math.sqrt(u * v);
    case 'arithmetic': return (u + v) / 2;
    case 'max': return Math.max(u, v);
  }
}

/** Neither labeling splits the data (both one cluster, or no points): a perfect match by convention. */
function bothUnsplit(table: ContingencyTable): boolean {
  return table.rows.length === table.columns.length && table.rows.length <= 1;
}

function nmiOf(table: ContingencyTable, averageMethod: AverageMethod): number {
  assertAverageMethod(averageMethod);
  if (bothUnsplit(table)) return 1;
  const mi = mutualInformationOf(table);
  // Zero MI cannot be a perfect match once the single-cluster case is out, whatever the normalizer.
  if (mi === 0) return 0;
  const normalizer = averageOf(entropyOf(table.rowSums, table.n), entropyOf(table.columnSums, table.n), averageMethod);
  return mi / normalizer;
}

function amiOf(table: ContingencyTable, averageMethod: AverageMethod): number {
  assertAverageMethod(averageMethod);
  if (bothUnsplit(table)) return 1;
  if (table.rows.length === 1 || table.columns.length === 1) return 0;
  const mi = mutualInformationOf(table);
  const emi = expectedMutualInformation(table);
  const normalizer = averageOf(entropyOf(table.rowSums, table.n), entropyOf(table.columnSums, table.n), averageMethod);
  // Identical labelings have mi = normalizer = emi up to rounding (e.g. every point alone); scikit-learn
  // keeps both differences at least eps away from zero, with their sign, instead of dividing 0 by 0.
  return awayFromZero(mi - emi) / awayFromZero(normalizer - emi);
}

function awayFromZero(value: number): number {
  return value < 0 ? Math.min(value, -EPSILON) : Math.max(value, EPSILON);
}

function homogeneityCompletenessVMeasureOf(table: ContingencyTable, beta: number): HomogeneityCompletenessVMeasure {
  if (!(beta >= 0)) throw new RangeError(`V-measure: beta must be >= 0, got ${beta}`);
  if (table.n === 0) return { homogeneity: 1, completeness: 1, vMeasure: 1 };
  const mi = mutualInformationOf(table);
  const entropyTruth = entropyOf(table.rowSums, table.n);
  const entropyPredicted = entropyOf(table.columnSums, table.n);
  // A single true class is trivially homogeneous; a single cluster is trivially complete.
  const homogeneity = entropyTruth === 0 ? 1 : mi / entropyTruth;
  const completeness = entropyPredicted === 0 ? 1 : mi / entropyPredicted;
  const vMeasure = homogeneity + completeness === 0
    ? 0
    : ((1 + beta) * homogeneity * completeness) / (beta * homogeneity + completeness);
  return { homogeneity, completeness, vMeasure };
}

function fowlkesMallowsOf(table: ContingencyTable): number {
  // Ordered pairs of distinct points together in both labelings / in the truth / in the prediction.
  // Sums of squared counts are below n^2 < 2^53: exact.
  const { n } = table;
  let together = -n;
  for (const count of table.cellCounts) together += count * count;
  let togetherPredicted = -n;
  for (const size of table.columnSums) togetherPredicted += size * size;
  let togetherTrue = -n;
  for (const size of table.rowSums) togetherTrue += size * size;
  return together === 0 ? 0 : Math.sqrt(together / togetherPredicted) * Math.sqrt(together / togetherTrue);
}

function purityOf(table: ContingencyTable): number {
  if (table.n === 0) return 1;
  const majority = new Int32Array(table.columns.length);
  for (let k = 0; k < table.cellCounts.length; k++) {
    const column = table.cellColumns[k];
    majority[column] = Math.max(majority[column], table.cellCounts[k]);
  }
  let correct = 0;
  for (const count of majority) correct += count;
  return correct / table.n;
}

/**
 * Neumaier summation. Mutual information of unrelated labelings is a small number left after
 * cancelling terms of order one; numpy's pairwise sum keeps that accurate, and so must we.
 */
class CompensatedSum {
  private total = 0;
  private compensation = 0;

  add(value: number): void {
    const next = this.total + value;
    this.compensation += Math.abs(this.total) >= Math.abs(value) ? this.total - next + value : value - next + this.total;
    this.total = next;
  }

  value(): number {
    return this.total + this.compensation;
  }
}
