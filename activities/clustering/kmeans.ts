import { seededRandom } from './random';

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
}

export interface KMeansResult {
  labels: Int32Array;
  centers: Float64Array;
  inertia: number;
  iterations: number;
}

export function kmeans(data: Float32Array, n: number, d: number, options: KMeansOptions): KMeansResult {
  const { k } = options;
  if (k < 1 || k > n) throw new Error(`k-means: k=${k} must be in [1, n=${n}]`);
  const random = seededRandom(options.seed);
  const tolerance = (options.tolerance ?? 1e-4) * meanFeatureVariance(data, n, d);
  const runs = options.initialCenters ? 1 : options.nInit ?? 1;
  let best: KMeansResult | undefined;
  for (let run = 0; run < runs; run++) {
    const initial = options.initialCenters ? Float64Array.from(options.initialCenters) : kmeansPlusPlus(data, n, d, k, random);
    const result = lloyd(data, n, d, initial, k, options.maxIterations ?? 300, tolerance);
    if (!best || result.inertia < best.inertia) best = result;
  }
  return best!;
}

function meanFeatureVariance(data: Float32Array, n: number, d: number): number {
  let total = 0;
  for (let j = 0; j < d; j++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += data[i * d + j];
    mean /= n;
    let variance = 0;
    for (let i = 0; i < n; i++) {
      const diff = data[i * d + j] - mean;
      variance += diff * diff;
    }
    total += variance / n;
  }
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

function pointDistance(data: Float32Array, i: number, p: number, d: number): number {
  let sum = 0;
  for (let j = 0; j < d; j++) {
    const diff = data[i * d + j] - data[p * d + j];
    sum += diff * diff;
  }
  return sum;
}

/** Greedy k-means++ as in scikit-learn: 2 + ln(k) candidates per step, keep the best one. */
export function kmeansPlusPlus(data: Float32Array, n: number, d: number, k: number, random: () => number): Float64Array {
  const centers = new Float64Array(k * d);
  const trials = 2 + Math.floor(Math.log(k));
  const first = Math.floor(random() * n);
  for (let j = 0; j < d; j++) centers[j] = data[first * d + j];
  const closest = new Float64Array(n);
  let potential = 0;
  for (let i = 0; i < n; i++) {
    closest[i] = pointDistance(data, i, first, d);
    potential += closest[i];
  }
  const cumulative = new Float64Array(n);
  const candidateDistances = new Float64Array(n);
  const bestDistances = new Float64Array(n);
  for (let c = 1; c < k; c++) {
    let running = 0;
    for (let i = 0; i < n; i++) {
      running += closest[i];
      cumulative[i] = running;
    }
    let bestPotential = Infinity;
    let bestCandidate = 0;
    for (let t = 0; t < trials; t++) {
      const candidate = Math.min(searchSorted(cumulative, random() * potential), n - 1);
      let candidatePotential = 0;
      for (let i = 0; i < n; i++) {
        candidateDistances[i] = Math.min(closest[i], pointDistance(data, i, candidate, d));
        candidatePotential += candidateDistances[i];
      }
      if (candidatePotential < bestPotential) {
        bestPotential = candidatePotential;
        bestCandidate = candidate;
        bestDistances.set(candidateDistances);
      }
    }
    closest.set(bestDistances);
    potential = bestPotential;
    for (let j = 0; j < d; j++) centers[c * d + j] = data[bestCandidate * d + j];
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

function assign(data: Float32Array, n: number, d: number, centers: Float64Array, k: number, labels: Int32Array, distances: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let bestDistance = Infinity;
    let bestLabel = 0;
    for (let c = 0; c < k; c++) {
      const distance = squaredDistance(data, i, centers, c, d);
      if (distance < bestDistance) {
        bestDistance = distance;
        bestLabel = c;
      }
    }
    labels[i] = bestLabel;
    distances[i] = bestDistance;
  }
}

function lloyd(data: Float32Array, n: number, d: number, initial: Float64Array, k: number, maxIterations: number, tolerance: number): KMeansResult {
  let centers = initial;
  const labels = new Int32Array(n).fill(-1);
  const previous = new Int32Array(n);
  const distances = new Float64Array(n);
  let iterations = 0;
  let strictlyConverged = false;
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    iterations = iteration + 1;
    previous.set(labels);
    assign(data, n, d, centers, k, labels, distances);
    const updated = updateCenters(data, n, d, k, labels, distances);
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
  if (!strictlyConverged) assign(data, n, d, centers, k, labels, distances);
  let inertia = 0;
  for (let i = 0; i < n; i++) inertia += squaredDistance(data, i, centers, labels[i], d);
  return { labels, centers, inertia, iterations };
}

function updateCenters(data: Float32Array, n: number, d: number, k: number, labels: Int32Array, distances: Float64Array): Float64Array {
  const sums = new Float64Array(k * d);
  const counts = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const c = labels[i];
    counts[c]++;
    for (let j = 0; j < d; j++) sums[c * d + j] += data[i * d + j];
  }
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
