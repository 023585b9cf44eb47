import { KdTree } from './kd-tree';
import { kernelThreads, kernelsFor, type Engine } from './native';

/**
 * DBSCAN with scikit-learn's semantics: a point is core when at least `minSamples` points
 * (itself included) lie within `eps` (Euclidean, inclusive); clusters are numbered in the order of
 * their lowest-index core point, and a border point joins the first cluster (in that order) with
 * a core point within eps of it, which is what scikit-learn's expansion produces whatever the
 * neighbour order. Noise is -1. Neighbourhoods are queried from a KD-tree when needed, not
 * stored, so memory stays O(n). The native kernel (native/dbscan.c) does the same on every core
 * and is used when built; this TypeScript version is its reference.
 */
export interface DbscanResult {
  labels: Int32Array;
  core: Uint8Array;
  clusters: number;
}

export async function dbscan(data: Float32Array, n: number, d: number, eps: number, minSamples: number, engine?: Engine): Promise<DbscanResult> {
  if (!(eps > 0)) throw new Error(`DBSCAN: eps must be > 0, got ${eps}`);
  if (!Number.isInteger(minSamples) || minSamples < 1) throw new Error(`DBSCAN: minSamples must be a positive integer, got ${minSamples}`);
  const kernels = kernelsFor(engine, 'DBSCAN');
  if (kernels) {
    const labels = new Int32Array(n);
    const core = new Uint8Array(n);
    const clusters = await kernels.dbscan(data, n, d, eps, minSamples, kernelThreads(), labels, core);
    return { labels, core, clusters };
  }
  const tree = new KdTree(data, n, d);
  const core = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    // Core-ness only needs minSamples neighbours: stop counting there.
    let count = 0;
    tree.forEachWithin(i, eps, () => ++count >= minSamples);
    core[i] = count >= minSamples ? 1 : 0;
  }
  const labels = new Int32Array(n).fill(-1);
  let clusters = 0;
  const stack: number[] = [];
  for (let start = 0; start < n; start++) {
    if (labels[start] !== -1 || !core[start]) continue;
    labels[start] = clusters;
    stack.push(start);
    while (stack.length > 0) {
      const point = stack.pop()!;
      tree.forEachWithin(point, eps, (neighbour) => {
        if (labels[neighbour] !== -1) return;
        labels[neighbour] = clusters;
        if (core[neighbour]) stack.push(neighbour);
      });
    }
    clusters++;
  }
  return { labels, core, clusters };
}
