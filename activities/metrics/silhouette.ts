import { sampleIndices, seededRandom } from '../clustering/random';
import { matrixRows, type Matrix } from './internal';
import { clusterDistanceSums, clusterDistanceSumsFor, type DistanceMetric, type Population, type Precision } from './pair-distance-sums';

/**
 * Silhouette for large n: exact (scikit-learn's silhouette_score, to ~1e-14 in float64) in bounded
 * memory, and a sampled estimate with a confidence interval when n^2 is too much. The distance
 * sums come from the onnxruntime kernel in pair-distance-sums.ts (Euclidean and cosine).
 *
 * Noise: points labelled -1 (or any negative label) are left out entirely, both as scored points
 * and from the a(i)/b(i) means of the others, i.e. the value is scikit-learn's
 * silhouette_score(X[labels >= 0], labels[labels >= 0]). Clusters of one point score 0, as in
 * scikit-learn. Like scikit-learn, at least 2 clusters and at most n - 1 are required.
 *
 * Sampled estimate vs scikit-learn's `sample_size`: scikit-learn draws s points and computes the
 * silhouette of that s-point data set, so a(i) and b(i) are themselves estimated from the ~s/k
 * sampled members of each cluster (b(i), a minimum of noisy means, is biased low), and it gives no
 * interval. Here the s sampled points are scored against all n points, so each s(i) is exactly the
 * full-data value and their mean is an unbiased estimate of the full mean, with a standard error
 * from the spread of the s(i). Cost O(s n (d + k)) instead of O(n^2 (d + k) / 2).
 */
export interface SilhouetteOptions {
  /** 'euclidean' (default) or 'cosine' (distance 1 - cos, scikit-learn's metric='cosine'). */
  metric?: DistanceMetric;
  /** Kernel precision, see pair-distance-sums.ts. Default 'f64' for exact, 'f32' for sampled. */
  precision?: Precision;
}

export interface SilhouetteEstimateOptions extends SilhouetteOptions {
  /** Points scored; populations up to this size get the exact value. */
  sampleSize: number;
  seed: number;
}

export interface SilhouetteEstimate {
  value: number;
  /** False when every (non-noise) point was scored: value is exact and the interval is [value, value]. */
  sampled: boolean;
  /** Points scored. */
  sampleSize: number;
  /** 95% confidence interval: mean +- 1.96 sd / sqrt(s) * sqrt((N - s) / (N - 1)), clipped to [-1, 1]. */
  ciLow: number;
  ciHigh: number;
}

export class SilhouetteInputError extends Error {
  override name = 'SilhouetteInputError';
}

const Z_95 = 1.959963984540054;

/** Non-noise rows with their labels renumbered 0..k-1 (scikit-learn's LabelEncoder step). */
export function silhouettePopulation(matrix: Matrix, labels: Int32Array): Population & { sizes: Int32Array } {
  if (labels.length !== matrix.n) throw new SilhouetteInputError(`${labels.length} labels for ${matrix.n} rows`);
  const codes = new Map<number, number>();
  let count = 0;
  for (const label of labels) {
    if (label < 0) continue;
    count++;
    if (!codes.has(label)) codes.set(label, codes.size);
  }
  const rows = new Int32Array(count);
  const compact = new Int32Array(count);
  const sizes = new Int32Array(codes.size);
  let p = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] < 0) continue;
    rows[p] = i;
    compact[p] = codes.get(labels[i])!;
    sizes[compact[p]]++;
    p++;
  }
  const k = codes.size;
  if (k < 2 || k > count - 1) {
    throw new SilhouetteInputError(`the silhouette needs 2 <= clusters <= points - 1 (noise left out); got ${k} clusters over ${count} points`);
  }
  return { matrix, rows, labels: compact, k, sizes };
}

/** s(i) = (b - a) / max(a, b) from one point's per-cluster distance sums (`offset` into `sums`). */
function pointSilhouette(sums: Float64Array, offset: number, own: number, sizes: Int32Array): number {
  if (sizes[own] <= 1) return 0;
  const a = sums[offset + own] / (sizes[own] - 1);
  let b = Infinity;
  for (let c = 0; c < sizes.length; c++) {
    if (c !== own) b = Math.min(b, sums[offset + c] / sizes[c]);
  }
  const denominator = Math.max(a, b);
  return denominator > 0 ? (b - a) / denominator : 0;
}

/** s(i) of every point, in row order; NaN for noise points. */
export async function silhouetteSamples(matrix: Matrix, labels: Int32Array, options: SilhouetteOptions = {}): Promise<Float64Array> {
  const population = silhouettePopulation(matrix, labels);
  const sums = await clusterDistanceSums(population, { metric: options.metric ?? 'euclidean', precision: options.precision ?? 'f64' });
  const out = new Float64Array(matrix.n).fill(NaN);
  const { k, rows, sizes } = population;
  for (let p = 0; p < rows.length; p++) out[rows[p]] = pointSilhouette(sums, p * k, population.labels[p], sizes);
  return out;
}

/** Exact mean silhouette (scikit-learn's silhouette_score on the non-noise points). O(n^2 (d + k) / 2) time, O(n k) memory. */
export async function exactSilhouette(matrix: Matrix, labels: Int32Array, options: SilhouetteOptions = {}): Promise<number> {
  const values = await silhouetteSamples(matrix, labels, options);
  let total = 0;
  let count = 0;
  for (const value of values) {
    if (Number.isNaN(value)) continue;
    total += value;
    count++;
  }
  return total / count;
}

/**
 * Exact when the non-noise population has at most `sampleSize` points; otherwise the mean s(i)
 * of a seeded uniform sample of `sampleSize` points (without replacement), each scored against
 * all points, with a 95% interval from the standard error of that mean (finite-population
 * corrected).
 */
export async function estimateSilhouette(matrix: Matrix, labels: Int32Array, options: SilhouetteEstimateOptions): Promise<SilhouetteEstimate> {
  if (!Number.isInteger(options.sampleSize) || options.sampleSize < 2) {
    throw new SilhouetteInputError(`sampleSize must be an integer >= 2 (a standard error needs two points), got ${options.sampleSize}`);
  }
  const population = silhouettePopulation(matrix, labels);
  const n = population.rows.length;
  const metric = options.metric ?? 'euclidean';
  if (n <= options.sampleSize) {
    const value = await exactSilhouette(matrix, labels, { metric, precision: options.precision ?? 'f64' });
    return { value, sampled: false, sampleSize: n, ciLow: value, ciHigh: value };
  }
  const s = options.sampleSize;
  const positions = sampleIndices(n, s, seededRandom(options.seed));
  const sums = await clusterDistanceSumsFor(population, positions, { metric, precision: options.precision ?? 'f32' });
  const { k, sizes } = population;
  let mean = 0;
  let squares = 0;
  for (let r = 0; r < s; r++) {
    // Welford: one pass, no cancellation.
    const value = pointSilhouette(sums, r * k, population.labels[positions[r]], sizes);
    const delta = value - mean;
    mean += delta / (r + 1);
    squares += delta * (value - mean);
  }
  const standardError = Math.sqrt(squares / (s - 1) / s) * Math.sqrt((n - s) / (n - 1));
  return {
    value: mean,
    sampled: true,
    sampleSize: s,
    ciLow: Math.max(-1, mean - Z_95 * standardError),
    ciHigh: Math.min(1, mean + Z_95 * standardError),
  };
}

/**
 * A cheaper estimate, for ranking candidates rather than reporting them: the sampled silhouette
 * of a seeded sample of `referenceUsers` users, i.e. each sampled point's a(i) and b(i) are its
 * mean distances to the reference sample's members of each cluster instead of to every user. The
 * cost is O(sampleSize x referenceUsers) whatever n; the interval covers the point sampling only.
 * The same seed gives every candidate the same reference users, so their values compare paired.
 * Populations of at most referenceUsers users, and reference samples that would hold fewer than
 * two clusters, get estimateSilhouette itself.
 */
export async function estimateSilhouetteOnReference(matrix: Matrix, labels: Int32Array, options: SilhouetteEstimateOptions & { referenceUsers: number }): Promise<SilhouetteEstimate> {
  const { referenceUsers, ...estimate } = options;
  if (matrix.n <= referenceUsers) return estimateSilhouette(matrix, labels, estimate);
  const reference = sampleIndices(matrix.n, referenceUsers, seededRandom(options.seed)).sort();
  const referenceLabels = Int32Array.from(reference, (row) => labels[row]);
  const clustered = referenceLabels.filter((label) => label >= 0);
  if (new Set(clustered).size < 2) return estimateSilhouette(matrix, labels, estimate);
  return estimateSilhouette(matrixRows(matrix, reference), referenceLabels, { ...estimate, sampleSize: Math.min(estimate.sampleSize, clustered.length) });
}
