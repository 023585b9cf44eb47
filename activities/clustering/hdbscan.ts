/**
 * HDBSCAN (Campello, Moulavi & Sander 2013), following scikit-learn's HDBSCAN step for step so
 * its labels can be checked against it: no eps to choose; clusters are the most stable density
 * levels ("excess of mass").
 *   1. core distance: distance to the min_samples-th nearest point (the point itself counted)
 *   2. minimum spanning tree of the mutual reachability distance max(core_a, core_b, d(a, b)),
 *      by Prim's algorithm with distances computed on the fly: O(n^2) time, O(n) memory
 *   3. single-linkage hierarchy from the tree's edges in ascending order (ours stable; numpy's
 *      argsort is not, so merges at exactly equal distances may pair up differently)
 *   4. condensed tree: a split counts only when both sides keep min_cluster_size points; smaller
 *      sides "fall out" as points at lambda = 1 / distance
 *   5. stability of each cluster: sum over its points of (lambda leaving - lambda born)
 *   6. excess-of-mass selection bottom-up (the root is never selected, as scikit-learn's default
 *      allow_single_cluster=False); points label to their nearest selected ancestor, else noise.
 * Quadratic time: meant for samples up to ~20k points (the sweep's hierarchical sample size).
 * Steps 1-2 run in the native kernel when it is built (the same arithmetic, identical trees).
 */
import { kernelThreads, kernelsFor, type Engine, type NativeKernels } from './native';
import { keepSmallest } from './smallest-values';

export interface HdbscanOptions {
  minClusterSize: number;
  /** Neighbours for the core distance (default minClusterSize, as scikit-learn). */
  minSamples?: number;
  /** Steps 1-2 in the native kernel (native/hdbscan.c, identical results; default when built) or here. */
  engine?: Engine;
}

export interface HdbscanResult {
  labels: Int32Array;
  clusters: number;
  /** Each point's core distance (distance to its minSamples-th nearest point, itself included). */
  coreDistances: Float64Array;
}

export async function hdbscan(data: Float32Array, n: number, d: number, options: HdbscanOptions): Promise<HdbscanResult> {
  const minClusterSize = options.minClusterSize;
  const minSamples = options.minSamples ?? minClusterSize;
  if (!Number.isInteger(minClusterSize) || minClusterSize < 2) throw new Error(`HDBSCAN: minClusterSize must be an integer >= 2, got ${minClusterSize}`);
  if (!Number.isInteger(minSamples) || minSamples < 1 || minSamples > n) throw new Error(`HDBSCAN: minSamples must be an integer in [1, n=${n}], got ${minSamples}`);
  if (n < 2) return { labels: new Int32Array(n).fill(-1), clusters: 0, coreDistances: new Float64Array(n) };
  const { core, tree } = await mutualReachabilityTree(data, n, d, minSamples, options.engine, 'HDBSCAN');
  const hierarchy = singleLinkage(n, tree);
  const condensed = condense(n, hierarchy, minClusterSize);
  const selected = selectClusters(condensed);
  return { ...label(n, condensed, selected), coreDistances: core };
}

/**
 * Steps 1-2: each point's core distance and the n - 1 edges of the minimum spanning tree of mutual
 * reachability distances, in the native kernel when built. Also what the density silhouette walks
 * (activities/metrics/density-silhouette.ts); `caller` names it in errors.
 */
export async function mutualReachabilityTree(data: Float32Array, n: number, d: number, minSamples: number, engine?: Engine, caller = 'HDBSCAN'): Promise<{ core: Float64Array; tree: Edge[] }> {
  const kernels = kernelsFor(engine, caller);
  return kernels ? nativeSpanningTree(kernels, data, n, d, minSamples) : spanningTree(data, n, d, minSamples);
}

async function nativeSpanningTree(kernels: NativeKernels, data: Float32Array, n: number, d: number, minSamples: number): Promise<{ core: Float64Array; tree: Edge[] }> {
  const core = new Float64Array(n);
  const [from, to, weight] = [new Int32Array(n - 1), new Int32Array(n - 1), new Float64Array(n - 1)];
  await kernels.hdbscanMst(data, n, d, minSamples, kernelThreads(), core, from, to, weight);
  return { core, tree: Array.from({ length: n - 1 }, (_, i) => ({ from: from[i], to: to[i], weight: weight[i] })) };
}

function spanningTree(data: Float32Array, n: number, d: number, minSamples: number): { core: Float64Array; tree: Edge[] } {
  const distance = (a: number, b: number) => {
    let sum = 0;
    for (let j = 0, x = a * d, y = b * d; j < d; j++) {
      const diff = data[x + j] - data[y + j];
      sum += diff * diff;
    }
    return Math.sqrt(sum);
  };
  const core = coreDistances(n, minSamples, distance);
  return { core, tree: minimumSpanningTree(n, core, distance) };
}

/** Distance to the k-th nearest point, the point itself included (k = 1 gives 0). */
function coreDistances(n: number, k: number, distance: (a: number, b: number) => number): Float64Array {
  const core = new Float64Array(n);
  const nearest = new Float64Array(k); // ascending, the k smallest distances seen so far
  for (let i = 0; i < n; i++) {
    nearest.fill(Infinity);
    for (let j = 0; j < n; j++) keepSmallest(nearest, j === i ? 0 : distance(i, j));
    core[i] = nearest[k - 1];
  }
  return core;
}

export interface Edge { from: number; to: number; weight: number }

/**
 * Prim's algorithm over the mutual reachability graph, as scikit-learn scans it: each outside
 * point remembers its best reachability and the tree point it came from (the edge's source).
 */
function minimumSpanningTree(n: number, core: Float64Array, distance: (a: number, b: number) => number): Edge[] {
  const inTree = new Uint8Array(n);
  const reach = new Float64Array(n).fill(Infinity);
  const source = new Int32Array(n);
  const edges: Edge[] = [];
  let current = 0;
  for (let step = 0; step < n - 1; step++) {
    inTree[current] = 1;
    let bestReach = Infinity;
    let bestFrom = 0;
    let next = 0;
    for (let j = 0; j < n; j++) {
      if (inTree[j]) continue;
      const mutual = Math.max(core[current], core[j], distance(current, j));
      if (mutual < reach[j]) {
        reach[j] = mutual;
        source[j] = current;
        if (mutual < bestReach) [bestReach, bestFrom, next] = [mutual, current, j];
      } else if (reach[j] < bestReach) {
        [bestReach, bestFrom, next] = [reach[j], source[j], j];
      }
    }
    edges.push({ from: bestFrom, to: next, weight: bestReach });
    current = next;
  }
  return edges;
}

/** Merge i joins `left` and `right` (points < n, merges n + i) at `distance`; `size` points in all. */
interface Merge { left: number; right: number; distance: number; size: number }

function singleLinkage(n: number, edges: Edge[]): Merge[] {
  const ordered = edges.map((edge, order) => ({ edge, order })).sort((a, b) => a.edge.weight - b.edge.weight || a.order - b.order);
  const parent = Int32Array.from({ length: 2 * n - 1 }, (_, i) => i);
  const size = new Int32Array(2 * n - 1).fill(1);
  const find = (x: number) => {
    let root = x;
    while (parent[root] !== root) root = parent[root];
    while (parent[x] !== root) [x, parent[x]] = [parent[x], root];
    return root;
  };
  return ordered.map(({ edge }, i) => {
    const left = find(edge.from);
    const right = find(edge.to);
    const merged = n + i;
    parent[left] = merged;
    parent[right] = merged;
    size[merged] = size[left] + size[right];
    return { left, right, distance: edge.weight, size: size[merged] };
  });
}

/** Level-order walk of the hierarchy below `root` (scikit-learn's bfs_from_hierarchy). */
function hierarchyBelow(n: number, hierarchy: Merge[], root: number): number[] {
  const result: number[] = [];
  let level = [root];
  while (level.length > 0) {
    result.push(...level);
    level = level.filter((node) => node >= n).flatMap((node) => [hierarchy[node - n].left, hierarchy[node - n].right]);
  }
  return result;
}

/** Rows of the condensed tree: `child` (a point < n, or a cluster id >= n) leaves `parent` at `lambda`. */
interface CondensedRow { parent: number; child: number; lambda: number; size: number }

function condense(n: number, hierarchy: Merge[], minClusterSize: number): CondensedRow[] {
  const root = 2 * (n - 1);
  const relabel = new Int32Array(root + 1);
  relabel[root] = n;
  let nextLabel = n + 1;
  const ignore = new Uint8Array(root + 1);
  const rows: CondensedRow[] = [];
  const sizeOf = (node: number) => (node >= n ? hierarchy[node - n].size : 1);
  const fallOut = (parent: number, subtree: number, lambda: number) => {
    for (const node of hierarchyBelow(n, hierarchy, subtree)) {
      if (node < n) rows.push({ parent, child: node, lambda, size: 1 });
      ignore[node] = 1;
    }
  };
  for (const node of hierarchyBelow(n, hierarchy, root)) {
    if (ignore[node] || node < n) continue;
    const { left, right, distance } = hierarchy[node - n];
    const lambda = distance > 0 ? 1 / distance : Infinity;
    const [leftSize, rightSize] = [sizeOf(left), sizeOf(right)];
    const parent = relabel[node];
    if (leftSize >= minClusterSize && rightSize >= minClusterSize) {
      relabel[left] = nextLabel++;
      rows.push({ parent, child: relabel[left], lambda, size: leftSize });
      relabel[right] = nextLabel++;
      rows.push({ parent, child: relabel[right], lambda, size: rightSize });
    } else if (leftSize < minClusterSize && rightSize < minClusterSize) {
      fallOut(parent, left, lambda);
      fallOut(parent, right, lambda);
    } else if (leftSize < minClusterSize) {
      relabel[right] = parent;
      fallOut(parent, left, lambda);
    } else {
      relabel[left] = parent;
      fallOut(parent, right, lambda);
    }
  }
  return rows;
}

/** Excess-of-mass selection; returns the selected cluster ids (ascending). */
function selectClusters(rows: CondensedRow[]): number[] {
  if (rows.length === 0) return [];
  const rootCluster = Math.min(...rows.map((row) => row.parent));
  const birth = new Map<number, number>([[rootCluster, 0]]);
  for (const row of rows) if (row.size > 1) birth.set(row.child, row.lambda);
  const stability = new Map<number, number>();
  for (const row of rows) stability.set(row.parent, (stability.get(row.parent) ?? 0) + (row.lambda - birth.get(row.parent)!) * row.size);
  const children = new Map<number, number[]>();
  for (const row of rows) if (row.size > 1) children.set(row.parent, [...(children.get(row.parent) ?? []), row.child]);
  // Every cluster but the root, deepest (highest id) first, so children are settled before parents.
  const candidates = [...stability.keys()].filter((id) => id !== rootCluster).sort((a, b) => b - a);
  const isSelected = new Map(candidates.map((id) => [id, true]));
  const deselectBelow = (id: number) => {
    for (const child of children.get(id) ?? []) {
      isSelected.set(child, false);
      deselectBelow(child);
    }
  };
  for (const id of candidates) {
    const subtree = (children.get(id) ?? []).reduce((sum, child) => sum + stability.get(child)!, 0);
    if (subtree > stability.get(id)!) {
      isSelected.set(id, false);
      stability.set(id, subtree);
    } else {
      deselectBelow(id);
    }
  }
  return candidates.filter((id) => isSelected.get(id)).sort((a, b) => a - b);
}

/** A point takes its nearest selected ancestor's number (clusters numbered by id), else noise. */
function label(n: number, rows: CondensedRow[], selected: number[]): { labels: Int32Array; clusters: number } {
  const parentOf = new Map<number, number>();
  for (const row of rows) parentOf.set(row.child, row.parent);
  const number = new Map(selected.map((id, index) => [id, index]));
  const labels = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    let node = parentOf.get(i);
    while (node !== undefined && !number.has(node)) node = parentOf.get(node);
    if (node !== undefined) labels[i] = number.get(node)!;
  }
  return { labels, clusters: selected.length };
}
