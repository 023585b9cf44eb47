import { cannotCluster, runConfigError } from '../../common/errors';
import { kernelThreads, kernelsFor, type Engine } from './native';
import { sampleIndices, seededRandom } from './random';

/**
 * Agglomerative clustering (Ward or average linkage) by the nearest-neighbour chain algorithm
 * with Lance-Williams updates on a condensed distance matrix: O(m^2) time and memory for m
 * clustered points. Above `sampleSize` points a seeded sample is clustered and every point is
 * assigned to the nearest cluster centroid. The tree is cut at k clusters, as
 * scikit-learn's AgglomerativeClustering(n_clusters=k) does. The merges come from the native
 * kernel (native/linkage.c, the same algorithm and arithmetic) when it is built, else from
 * mergeTree below, its reference.
 */
export type Linkage = 'ward' | 'average';

export interface HierarchicalOptions {
  k: number;
  linkage: Linkage;
  /** Points clustered exactly; the rest are assigned to the nearest centroid. */
  sampleSize?: number;
  seed?: number;
  engine?: Engine;
}

export async function hierarchical(data: Float32Array, n: number, d: number, options: HierarchicalOptions): Promise<Int32Array> {
  const sampleSize = options.sampleSize ?? 10_000;
  if (options.k < 1) throw new Error(`hierarchical: k=${options.k} must be at least 1`);
  if (options.k > n) throw cannotCluster(n, options.k);
  if (options.k > sampleSize) {
    throw runConfigError(`${options.linkage} linkage clusters a sample of hierarchicalSampleSize=${sampleSize} users, too few for k=${options.k}: raise hierarchicalSampleSize or lower kMax`);
  }
  const rows = n <= sampleSize ? Int32Array.from({ length: n }, (_, i) => i) : sampleIndices(n, sampleSize, seededRandom(options.seed ?? 0)).sort();
  const sampleLabels = cutTree(await merges(data, d, rows, options.linkage, options.engine), rows.length, options.k);
  if (rows.length === n) return sampleLabels;
  return assignToCentroids(data, n, d, rows, sampleLabels, options.k);
}

interface Merge { a: number; b: number; distance: number }

/** Index of pair (i, j), i < j, in a condensed upper-triangular matrix of m points. */
function pairIndex(i: number, j: number, m: number): number {
  return i * m - (i * (i + 1)) / 2 + (j - i - 1);
}

async function merges(data: Float32Array, d: number, rows: Int32Array, linkage: Linkage, engine: HierarchicalOptions['engine']): Promise<Merge[]> {
  const kernels = kernelsFor(engine, 'hierarchical');
  if (!kernels) return mergeTree(data, d, rows, linkage);
  const m = rows.length;
  const count = Math.max(0, m - 1);
  const [a, b, distance] = [new Int32Array(count), new Int32Array(count), new Float64Array(count)];
  await kernels.linkage(data, rows, m, d, linkage === 'ward' ? 0 : 1, kernelThreads(), a, b, distance);
  return Array.from({ length: count }, (_, i) => ({ a: a[i], b: b[i], distance: distance[i] }));
}

function mergeTree(data: Float32Array, d: number, rows: Int32Array, linkage: Linkage): Merge[] {
  const m = rows.length;
  const distances = new Float64Array((m * (m - 1)) / 2);
  for (let i = 0; i < m; i++) {
    for (let j = i + 1; j < m; j++) {
      let squared = 0;
      for (let c = 0; c < d; c++) {
        const diff = data[rows[i] * d + c] - data[rows[j] * d + c];
        squared += diff * diff;
      }
      // Ward's recurrence works on squared distances; average linkage on distances.
      distances[pairIndex(i, j, m)] = linkage === 'ward' ? squared : Math.sqrt(squared);
    }
  }
  const get = (i: number, j: number) => (i < j ? distances[pairIndex(i, j, m)] : distances[pairIndex(j, i, m)]);
  const set = (i: number, j: number, value: number) => {
    distances[i < j ? pairIndex(i, j, m) : pairIndex(j, i, m)] = value;
  };
  const size = new Float64Array(m).fill(1);
  const active = new Uint8Array(m).fill(1);
  const merges: Merge[] = [];
  const chain: number[] = [];
  let remaining = m;
  while (remaining > 1) {
    if (chain.length === 0) chain.push(active.indexOf(1));
    const a = chain[chain.length - 1];
    const previous = chain.length >= 2 ? chain[chain.length - 2] : -1;
    // Nearest active cluster; on ties the previous chain element wins, which keeps the chain finite.
    let nearest = previous;
    let best = previous >= 0 ? get(a, previous) : Infinity;
    for (let c = 0; c < m; c++) {
      if (!active[c] || c === a) continue;
      const value = get(a, c);
      if (value < best) {
        best = value;
        nearest = c;
      }
    }
    if (nearest !== previous) {
      chain.push(nearest);
      continue;
    }
    chain.pop();
    chain.pop();
    // Merge a and previous into the lower slot; Lance-Williams update of its distances.
    const [keep, drop] = a < previous ? [a, previous] : [previous, a];
    merges.push({ a: keep, b: drop, distance: linkage === 'ward' ? Math.sqrt(best) : best });
    for (let c = 0; c < m; c++) {
      if (!active[c] || c === keep || c === drop) continue;
      const toKeep = get(c, keep);
      const toDrop = get(c, drop);
      const updated = linkage === 'ward'
        ? ((size[keep] + size[c]) * toKeep + (size[drop] + size[c]) * toDrop - size[c] * best) / (size[keep] + size[drop] + size[c])
        : (size[keep] * toKeep + size[drop] * toDrop) / (size[keep] + size[drop]);
      set(c, keep, updated);
    }
    size[keep] += size[drop];
    active[drop] = 0;
    remaining--;
  }
  return merges;
}

/** Applies the m - k lowest merges (union-find) and numbers clusters by first member. */
function cutTree(merges: Merge[], m: number, k: number): Int32Array {
  const parent = Int32Array.from({ length: m }, (_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  };
  const ordered = merges.map((merge, order) => ({ ...merge, order })).sort((x, y) => x.distance - y.distance || x.order - y.order);
  for (const merge of ordered.slice(0, m - k)) parent[find(merge.b)] = find(merge.a);
  const labels = new Int32Array(m);
  const numbering = new Map<number, number>();
  for (let i = 0; i < m; i++) {
    const root = find(i);
    if (!numbering.has(root)) numbering.set(root, numbering.size);
    labels[i] = numbering.get(root)!;
  }
  return labels;
}

function assignToCentroids(data: Float32Array, n: number, d: number, rows: Int32Array, sampleLabels: Int32Array, k: number): Int32Array {
  const centroids = new Float64Array(k * d);
  const counts = new Float64Array(k);
  rows.forEach((row, s) => {
    const c = sampleLabels[s];
    counts[c]++;
    for (let j = 0; j < d; j++) centroids[c * d + j] += data[row * d + j];
  });
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) centroids[c * d + j] /= counts[c];
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = Infinity;
    for (let c = 0; c < k; c++) {
      let squared = 0;
      for (let j = 0; j < d; j++) squared += (data[i * d + j] - centroids[c * d + j]) ** 2;
      if (squared < best) {
        best = squared;
        labels[i] = c;
      }
    }
  }
  return labels;
}
