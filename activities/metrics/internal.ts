import { sampleIndices, seededRandom } from '../clustering/random';

/**
 * Internal clustering metrics with scikit-learn's definitions (checked against it in
 * test/unit/internal-metrics.test.ts). Data is row-major Float32 (n x d); labels are 0..k-1, and a
 * negative label (-1, density-clustering noise) marks a point that every metric here leaves out:
 * the value is scikit-learn's on X[labels >= 0], labels[labels >= 0].
 * The fast exact and sampled silhouette (with a confidence interval, cosine too) is in
 * silhouette.ts; cluster sizes, intra/inter distances and the noise fraction in cluster-shape.ts.
 */
export interface Matrix {
  data: Float32Array;
  n: number;
  d: number;
}

function clusterCount(labels: Int32Array): number {
  let max = -1;
  for (const label of labels) if (label > max) max = label;
  return max + 1;
}

export function centroids(matrix: Matrix, labels: Int32Array): { centers: Float64Array; sizes: Int32Array; k: number } {
  const { data, n, d } = matrix;
  const k = clusterCount(labels);
  const centers = new Float64Array(k * d);
  const sizes = new Int32Array(k);
  for (let i = 0; i < n; i++) {
    const c = labels[i];
    if (c < 0) continue;
    sizes[c]++;
    for (let j = 0; j < d; j++) centers[c * d + j] += data[i * d + j];
  }
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) centers[c * d + j] /= Math.max(sizes[c], 1);
  return { centers, sizes, k };
}

function distanceToCenter(matrix: Matrix, i: number, centers: Float64Array, c: number): number {
  let sum = 0;
  for (let j = 0; j < matrix.d; j++) {
    const diff = matrix.data[i * matrix.d + j] - centers[c * matrix.d + j];
    sum += diff * diff;
  }
  return sum;
}

/** Sum of squared distances of points to their cluster's centroid. */
export function inertia(matrix: Matrix, labels: Int32Array): number {
  const { centers } = centroids(matrix, labels);
  let total = 0;
  for (let i = 0; i < matrix.n; i++) if (labels[i] >= 0) total += distanceToCenter(matrix, i, centers, labels[i]);
  return total;
}

export function daviesBouldin(matrix: Matrix, labels: Int32Array): number {
  const { centers, sizes, k } = centroids(matrix, labels);
  const scatter = new Float64Array(k);
  for (let i = 0; i < matrix.n; i++) {
    if (labels[i] >= 0) scatter[labels[i]] += Math.sqrt(distanceToCenter(matrix, i, centers, labels[i]));
  }
  for (let c = 0; c < k; c++) scatter[c] /= Math.max(sizes[c], 1);
  let total = 0;
  for (let a = 0; a < k; a++) {
    let worst = 0;
    for (let b = 0; b < k; b++) {
      if (a === b) continue;
      let separation = 0;
      for (let j = 0; j < matrix.d; j++) separation += (centers[a * matrix.d + j] - centers[b * matrix.d + j]) ** 2;
      separation = Math.sqrt(separation);
      // scikit-learn treats coincident centroids as ratio 0 (its division by zero becomes inf -> 0).
      const ratio = separation === 0 ? 0 : (scatter[a] + scatter[b]) / separation;
      if (ratio > worst) worst = ratio;
    }
    total += worst;
  }
  return total / k;
}

export function calinskiHarabasz(matrix: Matrix, labels: Int32Array): number {
  const { d, data } = matrix;
  const { centers, sizes, k } = centroids(matrix, labels);
  let n = 0;
  const mean = new Float64Array(d);
  for (let i = 0; i < matrix.n; i++) {
    if (labels[i] < 0) continue;
    n++;
    for (let j = 0; j < d; j++) mean[j] += data[i * d + j];
  }
  for (let j = 0; j < d; j++) mean[j] /= n;
  let between = 0;
  for (let c = 0; c < k; c++) {
    let squared = 0;
    for (let j = 0; j < d; j++) squared += (centers[c * d + j] - mean[j]) ** 2;
    between += sizes[c] * squared;
  }
  let within = 0;
  for (let i = 0; i < matrix.n; i++) if (labels[i] >= 0) within += distanceToCenter(matrix, i, centers, labels[i]);
  return within === 0 ? 1 : (between * (n - k)) / (within * (k - 1));
}

/** Rows whose label is not noise. */
function nonNoiseRows(labels: Int32Array): Int32Array {
  let count = 0;
  for (const label of labels) if (label >= 0) count++;
  const rows = new Int32Array(count);
  for (let i = 0, p = 0; i < labels.length; i++) if (labels[i] >= 0) rows[p++] = i;
  return rows;
}

/**
 * Mean silhouette over the non-noise points in `rows` (all points when omitted), with distances to
 * every other of them. Memory is O(k) per point; time O(|rows|^2 d). A plain single-threaded
 * loop: silhouette.ts has the fast exact version and an unbiased sampled estimate.
 */
export function silhouette(matrix: Matrix, labels: Int32Array, rows?: Int32Array): number {
  const { data, d } = matrix;
  const members = (rows ?? nonNoiseRows(labels)).filter((row) => labels[row] >= 0);
  const m = members.length;
  const subsetLabels = new Int32Array(m);
  for (let a = 0; a < m; a++) subsetLabels[a] = labels[members[a]];
  const k = clusterCount(subsetLabels);
  const sizes = new Int32Array(k);
  for (const label of subsetLabels) sizes[label]++;
  const sums = new Float64Array(k);
  let total = 0;
  for (let a = 0; a < m; a++) {
    sums.fill(0);
    const rowA = members[a] * d;
    for (let b = 0; b < m; b++) {
      if (a === b) continue;
      const rowB = members[b] * d;
      let squared = 0;
      for (let j = 0; j < d; j++) {
        const diff = data[rowA + j] - data[rowB + j];
        squared += diff * diff;
      }
      sums[subsetLabels[b]] += Math.sqrt(squared);
    }
    const own = subsetLabels[a];
    if (sizes[own] <= 1) continue; // scikit-learn: a singleton's silhouette is 0
    const intra = sums[own] / (sizes[own] - 1);
    let nearest = Infinity;
    for (let c = 0; c < k; c++) {
      if (c === own || sizes[c] === 0) continue;
      nearest = Math.min(nearest, sums[c] / sizes[c]);
    }
    total += (nearest - intra) / Math.max(intra, nearest);
  }
  return total / m;
}

/**
 * Exact silhouette up to `sampleSize` (non-noise) points; above it, the silhouette of a seeded
 * random sample as scikit-learn's `sample_size` computes it (the sample's own silhouette; see
 * estimateSilhouette in silhouette.ts for the unbiased estimate with an interval).
 */
export function silhouetteScore(matrix: Matrix, labels: Int32Array, sampleSize: number, seed: number): { value: number; sampled: boolean } {
  const members = nonNoiseRows(labels);
  if (members.length <= sampleSize) return { value: silhouette(matrix, labels, members), sampled: false };
  const picks = sampleIndices(members.length, sampleSize, seededRandom(seed));
  return { value: silhouette(matrix, labels, picks.map((p) => members[p])), sampled: true };
}

/** The given rows of `matrix`, in the given order, as a new matrix. */
export function matrixRows(matrix: Matrix, rows: ArrayLike<number>): Matrix {
  const data = new Float32Array(rows.length * matrix.d);
  for (let i = 0; i < rows.length; i++) data.set(matrix.data.subarray(rows[i] * matrix.d, (rows[i] + 1) * matrix.d), i * matrix.d);
  return { data, n: rows.length, d: matrix.d };
}
