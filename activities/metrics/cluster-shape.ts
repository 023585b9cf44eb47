import type { Matrix } from './internal';
import type { DistanceMetric } from './pair-distance-sums';

/**
 * How a segmentation is shaped, beyond one quality score: how tight the clusters are, how far
 * apart, how unequal in size, and how much was left as noise. O(n d) time, O(k d) memory, so it
 * runs on all points whatever n is. Checked against numpy/scikit-learn in
 * test/unit/silhouette-and-shape.test.ts (scripts/python/make_internal_metrics_fixtures.py).
 *
 * Noise (negative labels) is left out of everything except `noiseFraction`.
 * Centroids: euclidean, the mean of the cluster's points; cosine, the mean of their L2-normalized
 * vectors (the mean direction, as spherical k-means uses). Cosine distance is 1 - cos, a zero
 * vector having cos 0 with everything (scikit-learn's cosine_distances).
 *
 * Intra-cluster distance is the mean distance of points to their own centroid rather than the
 * mean pairwise distance within clusters: it is O(n d) instead of O(sum n_c^2 d), and it is what
 * k-means minimizes (in squared form), so it reads alongside inertia.
 */
export interface ClusterSizeDistribution {
  min: number;
  max: number;
  /** Gini coefficient of the cluster sizes: 0 all equal, towards 1 one cluster holds everything. */
  gini: number;
}

export interface ClusterShapeMetrics {
  sizes: ClusterSizeDistribution;
  meanIntraDistance: number;
  meanInterCentroidDistance: number;
  noiseFraction: number;
}

/** Share of points labelled as noise (negative label). */
export function noiseFraction(labels: Int32Array): number {
  if (labels.length === 0) return 0;
  let noise = 0;
  for (const label of labels) if (label < 0) noise++;
  return noise / labels.length;
}

/** Sizes of the non-empty clusters (noise left out), in label order. */
function clusterSizes(labels: Int32Array): number[] {
  const sizes = new Map<number, number>();
  for (const label of labels) if (label >= 0) sizes.set(label, (sizes.get(label) ?? 0) + 1);
  return [...sizes.entries()].sort((a, b) => a[0] - b[0]).map(([, size]) => size);
}

/** min, max and Gini coefficient (sum_ij |n_i - n_j| / (2 k^2 mean)) of the cluster sizes. */
export function clusterSizeDistribution(labels: Int32Array): ClusterSizeDistribution {
  const sizes = clusterSizes(labels).sort((a, b) => a - b);
  const k = sizes.length;
  if (k === 0) return { min: 0, max: 0, gini: 0 };
  // Sorted form of the mean absolute difference: sum_i (2i - k - 1) n_(i) / (k sum n), i from 1.
  let weighted = 0;
  let total = 0;
  for (let i = 0; i < k; i++) {
    weighted += (2 * (i + 1) - k - 1) * sizes[i];
    total += sizes[i];
  }
  return { min: sizes[0], max: sizes[k - 1], gini: weighted / (k * total) };
}

interface Centroids {
  /** Cluster id of each row of `centers`, ascending. */
  ids: number[];
  /** Position in `ids` of each label value. */
  index: Map<number, number>;
  centers: Float64Array;
}

function inverseNorm(data: Float32Array, offset: number, d: number): number {
  let squared = 0;
  for (let j = 0; j < d; j++) squared += data[offset + j] * data[offset + j];
  return squared > 0 ? 1 / Math.sqrt(squared) : 0;
}

function metricCentroids(matrix: Matrix, labels: Int32Array, metric: DistanceMetric): Centroids {
  const { data, n, d } = matrix;
  const ids = [...new Set(Array.from(labels).filter((label) => label >= 0))].sort((a, b) => a - b);
  const index = new Map(ids.map((id, position) => [id, position]));
  const centers = new Float64Array(ids.length * d);
  const counts = new Float64Array(ids.length);
  for (let i = 0; i < n; i++) {
    if (labels[i] < 0) continue;
    const c = index.get(labels[i])!;
    const scale = metric === 'cosine' ? inverseNorm(data, i * d, d) : 1;
    counts[c]++;
    for (let j = 0; j < d; j++) centers[c * d + j] += data[i * d + j] * scale;
  }
  for (let c = 0; c < ids.length; c++) for (let j = 0; j < d; j++) centers[c * d + j] /= counts[c];
  return { ids, index, centers };
}

function distance(metric: DistanceMetric, a: ArrayLike<number>, aOffset: number, b: Float64Array, bOffset: number, d: number): number {
  let dot = 0;
  let aa = 0;
  let bb = 0;
  for (let j = 0; j < d; j++) {
    const x = a[aOffset + j];
    const y = b[bOffset + j];
    if (metric === 'euclidean') {
      dot += (x - y) * (x - y);
    } else {
      dot += x * y;
      aa += x * x;
      bb += y * y;
    }
  }
  if (metric === 'euclidean') return Math.sqrt(dot);
  return aa > 0 && bb > 0 ? 1 - dot / Math.sqrt(aa * bb) : 1;
}

/** Mean over (non-noise) points of the distance to their cluster's centroid. */
export function meanIntraClusterDistance(matrix: Matrix, labels: Int32Array, metric: DistanceMetric = 'euclidean'): number {
  const { index, centers } = metricCentroids(matrix, labels, metric);
  const { data, n, d } = matrix;
  let total = 0;
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (labels[i] < 0) continue;
    total += distance(metric, data, i * d, centers, index.get(labels[i])! * d, d);
    count++;
  }
  return count === 0 ? NaN : total / count;
}

/** Mean over unordered pairs of clusters of the distance between their centroids (NaN for fewer than 2 clusters). */
export function meanInterCentroidDistance(matrix: Matrix, labels: Int32Array, metric: DistanceMetric = 'euclidean'): number {
  const { ids, centers } = metricCentroids(matrix, labels, metric);
  const { d } = matrix;
  let total = 0;
  let pairs = 0;
  for (let a = 0; a < ids.length; a++) {
    for (let b = a + 1; b < ids.length; b++) {
      total += distance(metric, centers, a * d, centers, b * d, d);
      pairs++;
    }
  }
  return pairs === 0 ? NaN : total / pairs;
}

export function clusterShape(matrix: Matrix, labels: Int32Array, metric: DistanceMetric = 'euclidean'): ClusterShapeMetrics {
  return {
    sizes: clusterSizeDistribution(labels),
    meanIntraDistance: meanIntraClusterDistance(matrix, labels, metric),
    meanInterCentroidDistance: meanInterCentroidDistance(matrix, labels, metric),
    noiseFraction: noiseFraction(labels),
  };
}
