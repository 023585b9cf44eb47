import { cannotCluster } from '../../common/errors';
import { jsBackend, nativeBackend, onnxBackend, type DistanceBackend } from './distance-backend';
import { kernelThreads, kernelsFor, nativeKernels } from './native';
import type { Assignment } from './distance-backend';
import { seededRandom } from './random';
import { yieldToEventLoop } from '../../lib/runtime/activity-progress';

/**
 * k-means (Lloyd) with greedy k-means++ initialisation, following scikit-learn's definitions so
 * results can be checked against it: tolerance is relative to the mean feature variance,
 * convergence is "labels unchanged" or "total squared centre shift <= tol", empty clusters are
 * re-seeded with the points farthest from their centres, and the best of `nInit` runs (lowest
 * inertia) wins. Data is row-major Float32 (n x d); accumulation is in float64.
 */
export interface KMeansOptions {
  k: number;
  seed: number;
  nInit?: number;
  maxIterations?: number;
  tolerance?: number;
  /** Start from these centres (k x d) instead of k-means++; nInit is then 1. */
  initialCenters?: Float64Array;
  /**
   * Distance computations: 'native' (default when built: one fused float32 pass per iteration on
   * every core), 'onnx-f32' (default otherwise: onnxruntime MatMul, float32 like scikit-learn on
   * float32 data), 'onnx-f64', or 'js' (plain float64 loops, the reference).
   */
  backend?: KMeansBackend;
}

export type KMeansBackend = 'native' | 'onnx-f32' | 'onnx-f64' | 'js';

/** The backend a request names, or the default: native when built, else onnxruntime float32. */
function resolveBackend(name: KMeansBackend | undefined): KMeansBackend {
  return name ?? (nativeKernels() ? 'native' : 'onnx-f32');
}

export async function distanceBackend(data: Float32Array, n: number, d: number, name: KMeansBackend | undefined): Promise<DistanceBackend> {
  const chosen = resolveBackend(name);
  if (chosen === 'native') return nativeBackend(data, n, d);
  if (chosen === 'js') return jsBackend(data, n, d);
  return onnxBackend(data, n, d, chosen === 'onnx-f64' ? 'f64' : 'f32');
}

export interface KMeansResult {
  labels: Int32Array;
  centers: Float64Array;
  inertia: number;
  iterations: number;
}

export async function kmeans(data: Float32Array, n: number, d: number, options: KMeansOptions): Promise<KMeansResult> {
  const { k } = options;
  if (k < 1) throw new Error(`k-means: k=${k} must be at least 1`);
  if (k > n) throw cannotCluster(n, k);
  const random = seededRandom(options.seed);
  const backendName = resolveBackend(options.backend);
  const variance = backendName === 'native' ? kernelsFor('native', 'k-means')!.meanColumnVariance(data, n, d, kernelThreads()) : meanFeatureVariance(data, n, d);
  const tolerance = (options.tolerance ?? 1e-4) * variance;
  const runs = options.initialCenters ? 1 : options.nInit ?? 1;
  const backend = await distanceBackend(data, n, d, backendName);
  try {
    let best: KMeansResult | undefined;
    for (let run = 0; run < runs; run++) {
      const initial = options.initialCenters ? Float64Array.from(options.initialCenters) : await kmeansPlusPlus(data, n, d, k, random, backend);
      const result = await lloyd(data, n, d, initial, k, options.maxIterations ?? 300, tolerance, backend);
      if (!best || result.inertia < best.inertia) best = result;
    }
    return best!;
  } finally {
    await backend.dispose();
  }
}

/** Mean over features of the per-feature variance; two row-major passes (the data is n x d). */
function meanFeatureVariance(data: Float32Array, n: number, d: number): number {
  const means = new Float64Array(d);
  for (let i = 0, row = 0; i < n; i++, row += d) for (let j = 0; j < d; j++) means[j] += data[row + j];
  for (let j = 0; j < d; j++) means[j] /= n;
  const variances = new Float64Array(d);
  for (let i = 0, row = 0; i < n; i++, row += d) {
    for (let j = 0; j < d; j++) {
      const diff = data[row + j] - means[j];
      variances[j] += diff * diff;
    }
  }
  let total = 0;
  for (let j = 0; j < d; j++) total += variances[j] / n;
  return total / d;
}

function squaredDistance(data: Float32Array, i: number, centers: Float64Array, c: number, d: number): number {
  let sum = 0;
  const rowOffset = i * d;
  const centerOffset = c * d;
  for (let j = 0; j < d; j++) {
    const diff = data[rowOffset + j] - centers[centerOffset + j];
    sum += diff * diff;
  }
  return sum;
}

/** Greedy k-means++ as in scikit-learn: 2 + ln(k) candidates per step, keep the best one. */
export async function kmeansPlusPlus(data: Float32Array, n: number, d: number, k: number, random: () => number, backend: DistanceBackend): Promise<Float64Array> {
  const centers = new Float64Array(k * d);
  const trials = 2 + Math.floor(Math.log(k));
  const pointsOf = (indices: number[]) => {
    const points = new Float64Array(indices.length * d);
    indices.forEach((index, p) => {
      for (let j = 0; j < d; j++) points[p * d + j] = data[index * d + j];
    });
    return points;
  };
  const first = Math.floor(random() * n);
  centers.set(pointsOf([first]), 0);
  const closest = Float64Array.from(await backend.distancesTo(pointsOf([first]), 1));
  let potential = closest.reduce((sum, value) => sum + value, 0);
  const cumulative = new Float64Array(n);
  for (let c = 1; c < k; c++) {
    let running = 0;
    for (let i = 0; i < n; i++) {
      running += closest[i];
      cumulative[i] = running;
    }
    const candidates = Array.from({ length: trials }, () => Math.min(searchSorted(cumulative, random() * potential), n - 1));
    const distances = await backend.distancesTo(pointsOf(candidates), trials);
    // One pass over the n x trials matrix (row-major) for all candidates' potentials.
    const potentials = new Float64Array(trials);
    for (let i = 0, offset = 0; i < n; i++, offset += trials) {
      const current = closest[i];
      for (let t = 0; t < trials; t++) {
        const value = distances[offset + t];
        potentials[t] += value < current ? value : current;
      }
    }
    let bestTrial = 0;
    for (let t = 1; t < trials; t++) if (potentials[t] < potentials[bestTrial]) bestTrial = t;
    const bestPotential = potentials[bestTrial];
    for (let i = 0; i < n; i++) {
      const value = distances[i * trials + bestTrial];
      if (value < closest[i]) closest[i] = value;
    }
    potential = bestPotential;
    centers.set(pointsOf([candidates[bestTrial]]), c * d);
  }
  return centers;
}

/** First index whose cumulative value is >= target (numpy searchsorted, side='left'). */
function searchSorted(cumulative: Float64Array, target: number): number {
  let low = 0;
  let high = cumulative.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (cumulative[middle] < target) low = middle + 1;
    else high = middle;
  }
  return low;
}

async function lloyd(
  data: Float32Array, n: number, d: number, initial: Float64Array, k: number, maxIterations: number, tolerance: number, backend: DistanceBackend,
): Promise<KMeansResult> {
  let centers = initial;
  let labels: Int32Array = new Int32Array(n).fill(-1);
  let iterations = 0;
  let strictlyConverged = false;
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    iterations = iteration + 1;
    // The native assignment is synchronous: without a turn of the event loop per iteration, a long
    // fit would send no heartbeat at all.
    await yieldToEventLoop();
    const previous = labels;
    const assigned = await backend.assign(centers, k);
    labels = assigned.labels;
    const updated = updateCenters(data, d, k, assigned);
    let labelsChanged = false;
    for (let i = 0; i < n; i++) {
      if (labels[i] !== previous[i]) {
        labelsChanged = true;
        break;
      }
    }
    let shift = 0;
    for (let j = 0; j < k * d; j++) shift += (updated[j] - centers[j]) ** 2;
    centers = updated;
    if (!labelsChanged) {
      strictlyConverged = true;
      break;
    }
    if (shift <= tolerance) break;
  }
  if (!strictlyConverged) labels = (await backend.nearest(centers, k)).labels;
  // Inertia in float64 whatever the backend's precision.
  let inertia = 0;
  for (let i = 0; i < n; i++) inertia += squaredDistance(data, i, centers, labels[i], d);
  return { labels, centers, inertia, iterations };
}

function updateCenters(data: Float32Array, d: number, k: number, assigned: Assignment): Float64Array {
  const { labels, distances, sums, counts } = assigned;
  const n = labels.length;
  const empty = [];
  for (let c = 0; c < k; c++) if (counts[c] === 0) empty.push(c);
  if (empty.length > 0) {
    // Re-seed each empty cluster with one of the points farthest from its current centre.
    const farthest = Array.from({ length: n }, (_, i) => i).sort((a, b) => distances[b] - distances[a]);
    empty.forEach((c, index) => {
      const point = farthest[index];
      const old = labels[point];
      counts[old]--;
      counts[c]++;
      for (let j = 0; j < d; j++) {
        sums[old * d + j] -= data[point * d + j];
        sums[c * d + j] += data[point * d + j];
      }
    });
  }
  for (let c = 0; c < k; c++) {
    for (let j = 0; j < d; j++) sums[c * d + j] /= counts[c];
  }
  return sums;
}
