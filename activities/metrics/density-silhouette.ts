import { mutualReachabilityTree, type Edge } from '../clustering/hdbscan';
import { sampleIndices, seededRandom } from '../clustering/random';
import { matrixRows, type Matrix } from './internal';

/**
 * The silhouette measured on density-connected distances instead of straight lines.
 *
 * The Euclidean silhouette rewards compact, convex segments: it prefers cutting a ring, a spiral
 * or two touching elongated groups across their length, and on the 68 labelled sets that is most
 * of the selection rule's regret (docs/EVALUATION.md). Here the distance between two users is the
 * largest step one must take to walk from one to the other through the data: the minimax path
 * distance over the minimum spanning tree of mutual reachability distances
 * max(core(a), core(b), |a - b|), core = the distance to the `neighbours`-th nearest other user
 * (Campello, Moulavi & Sander 2013, HDBSCAN; the same tree DBCV scores, Moulavi et al. 2014).
 * Inside a dense group every such distance is small, whatever the group's shape; between groups
 * it is at least the gap. So a cut through a dense region scores near 0 (its users' nearest other
 * segment is one small step away), and two separate groups merged into one score low too (half
 * their members are a gap away). The core distance keeps a thin chain of stray users from
 * bridging two groups.
 *
 * Cost O(s^2 d) time and O(s^2) memory for s sampled users: the tree is HDBSCAN's (its steps 1-2,
 * native when built), the distances are computed once per sample (`densityDistances`) and every
 * candidate of the same embedding reuses them
 * (`densitySilhouette`, O(s^2)). Above `sampleSize` users a seeded sample stands for all; noise
 * (negative labels) is part of the walk but scores no silhouette, as in silhouette.ts.
 */

/** The core distance's neighbour count, the point itself not counted (scikit-learn's HDBSCAN min_samples = 6 counts it). */
export const DENSITY_NEIGHBOURS = 5;

/**
 * Users a run's density silhouette is measured on (a seeded sample above it): O(s^2) memory,
 * 36 MB of distances per encoder at 3,000, about 0.5 s to build at 64 dimensions. The selection
 * bench scores its labelled sets on samples of the same size (bench/selection-sweep.ts).
 */
export const DENSITY_SILHOUETTE_USERS = 3000;

export interface DensityDistances {
  /** Rows of the matrix they were computed on (labels must cover all of them). */
  n: number;
  /** The matrix rows the distances are between (every row when the matrix is small enough), ascending. */
  rows: Int32Array;
  /** rows.length^2 minimax distances, row-major. */
  distances: Float32Array;
}

export class DensitySilhouetteInputError extends Error {
  override name = 'DensitySilhouetteInputError';
}

export async function densityDistances(matrix: Matrix, options: { sampleSize: number; seed: number; neighbours?: number }): Promise<DensityDistances> {
  const neighbours = options.neighbours ?? DENSITY_NEIGHBOURS;
  const rows = matrix.n <= options.sampleSize
    ? Int32Array.from({ length: matrix.n }, (_, i) => i)
    : Int32Array.from(sampleIndices(matrix.n, options.sampleSize, seededRandom(options.seed))).sort();
  const s = rows.length;
  if (s <= neighbours) throw new DensitySilhouetteInputError(`density silhouette: ${s} users, need more than ${neighbours} (the core distance's neighbours)`);
  const sample = matrixRows(matrix, rows);
  const bad = sample.data.findIndex((value) => !Number.isFinite(value));
  if (bad >= 0) throw new DensitySilhouetteInputError(`density silhouette: row ${rows[Math.floor(bad / matrix.d)]} has a non-finite coordinate (column ${bad % matrix.d})`);
  // HDBSCAN's steps 1-2 (its core distance counts the point itself, hence + 1).
  const { tree } = await mutualReachabilityTree(sample.data, s, sample.d, neighbours + 1, undefined, 'density silhouette');
  return { n: matrix.n, rows, distances: minimaxOverTree(tree, s) };
}

/**
 * Mean silhouette of the sampled non-noise users on the density-connected distances; NaN when the
 * sample holds fewer than 2 segments. Users alone in their segment (within the sample) score 0, as
 * in scikit-learn.
 */
export function densitySilhouette(space: DensityDistances, labels: Int32Array): number {
  const { rows, distances } = space;
  if (labels.length !== space.n) throw new DensitySilhouetteInputError(`density silhouette: ${labels.length} labels for ${space.n} rows`);
  const s = rows.length;
  const codes = new Map<number, number>();
  const code = new Int32Array(s);
  for (let i = 0; i < s; i++) {
    const label = labels[rows[i]];
    if (label < 0) { code[i] = -1; continue; }
    if (!codes.has(label)) codes.set(label, codes.size);
    code[i] = codes.get(label)!;
  }
  const k = codes.size;
  if (k < 2) return NaN;
  const sizes = new Int32Array(k);
  for (const c of code) if (c >= 0) sizes[c]++;
  const sums = new Float64Array(k);
  let total = 0;
  let scored = 0;
  for (let a = 0; a < s; a++) {
    const own = code[a];
    if (own < 0) continue;
    scored++;
    if (sizes[own] <= 1) continue;
    sums.fill(0);
    const offset = a * s;
    for (let b = 0; b < s; b++) if (code[b] >= 0) sums[code[b]] += distances[offset + b];
    const intra = sums[own] / (sizes[own] - 1);
    let nearest = Infinity;
    for (let c = 0; c < k; c++) if (c !== own) nearest = Math.min(nearest, sums[c] / sizes[c]);
    const scale = Math.max(intra, nearest);
    if (scale > 0) total += (nearest - intra) / scale;
  }
  return total / scored;
}

const computed = new WeakMap<Matrix, Map<string, Promise<DensityDistances>>>();

/**
 * `densityDistances` of this matrix, computed once while the matrix object lives: the candidates
 * of one encoder share its loaded matrix (shared-embedding-matrix.ts) and so share these too.
 */
export function sharedDensityDistances(matrix: Matrix, options: { sampleSize: number; seed: number }): Promise<DensityDistances> {
  let bySample = computed.get(matrix);
  if (!bySample) computed.set(matrix, bySample = new Map());
  const key = `${options.sampleSize}:${options.seed}`;
  let space = bySample.get(key);
  if (!space) bySample.set(key, space = densityDistances(matrix, options));
  return space;
}

/**
 * A candidate's density silhouette in a run: on DENSITY_SILHOUETTE_USERS sampled users, the
 * distances shared by the candidates of one loaded matrix; NaN with fewer than 2 segments in the
 * sample or too few users for a core distance.
 */
export async function sampledDensitySilhouette(matrix: Matrix, labels: Int32Array, seed: number): Promise<number> {
  if (matrix.n <= DENSITY_NEIGHBOURS) return NaN;
  return densitySilhouette(await sharedDensityDistances(matrix, { sampleSize: DENSITY_SILHOUETTE_USERS, seed }), labels);
}

/** For every pair, the largest edge on the tree path between them (s x s, row-major). */
function minimaxOverTree(tree: Edge[], s: number): Float32Array {
  // Adjacency in compressed form: each tree edge both ways.
  const start = new Int32Array(s + 1);
  for (const { from, to } of tree) { start[from + 1]++; start[to + 1]++; }
  for (let v = 0; v < s; v++) start[v + 1] += start[v];
  const fill = start.slice(0, s);
  const neighbour = new Int32Array(2 * tree.length);
  const edgeWeight = new Float64Array(2 * tree.length);
  for (const { from, to, weight } of tree) {
    neighbour[fill[from]] = to; edgeWeight[fill[from]++] = weight;
    neighbour[fill[to]] = from; edgeWeight[fill[to]++] = weight;
  }
  const out = new Float32Array(s * s);
  const stack = new Int32Array(s);
  const parent = new Int32Array(s);
  const largest = new Float64Array(s);
  for (let source = 0; source < s; source++) {
    let top = 0;
    stack[top++] = source; parent[source] = -1; largest[source] = 0;
    const offset = source * s;
    while (top > 0) {
      const u = stack[--top];
      out[offset + u] = largest[u];
      for (let e = start[u]; e < start[u + 1]; e++) {
        const v = neighbour[e];
        if (v === parent[u]) continue;
        parent[v] = u;
        largest[v] = Math.max(largest[u], edgeWeight[e]);
        stack[top++] = v;
      }
    }
  }
  return out;
}
