import { hdbscan } from './hdbscan';
import { kernelThreads, nativeKernels } from './native';
import { sampleIndices, seededRandom } from './random';

/**
 * HDBSCAN for any number of users: exact on up to `sampleSize` of them (a seeded sample; the
 * algorithm is quadratic), then every other user joins the cluster of its nearest sampled user,
 * but only when it lies within that user's core distance, i.e. inside the dense neighbourhood
 * that made the sampled user a cluster member at all; otherwise it is noise. (A user that close
 * has a mutual reachability to the sample no larger than the sampled user's own core distance.)
 */
export interface SampledHdbscanOptions {
  minClusterSize: number;
  minSamples?: number;
  sampleSize: number;
  seed: number;
}

export async function hdbscanSampled(data: Float32Array, n: number, d: number, options: SampledHdbscanOptions): Promise<{ labels: Int32Array; clusters: number; sampled: number }> {
  if (n <= options.sampleSize) return { ...(await hdbscan(data, n, d, options)), sampled: n };
  const rows = sampleIndices(n, options.sampleSize, seededRandom(options.seed)).sort();
  const m = rows.length;
  const sample = new Float32Array(m * d);
  rows.forEach((row, s) => sample.set(data.subarray(row * d, (row + 1) * d), s * d));
  const fitted = await hdbscan(sample, m, d, options);
  const labels = new Int32Array(n).fill(-1);
  const inSample = new Int32Array(n).fill(-1);
  rows.forEach((row, s) => (inSample[row] = s));
  forEachNearest(data, n, d, sample, m, (i, nearest, squared) => {
    if (inSample[i] >= 0) labels[i] = fitted.labels[inSample[i]];
    else if (fitted.labels[nearest] >= 0 && Math.sqrt(squared) <= fitted.coreDistances[nearest]) labels[i] = fitted.labels[nearest];
  });
  return { labels, clusters: fitted.clusters, sampled: m };
}

/** Calls visit(row, nearest sample point, squared distance) for every row: native blocks when built. */
function forEachNearest(data: Float32Array, n: number, d: number, sample: Float32Array, m: number, visit: (i: number, nearest: number, squared: number) => void): void {
  const kernels = nativeKernels();
  if (kernels) {
    // Blocks of rows against the whole sample: the distance block stays ~32 MB.
    const block = Math.max(1, Math.floor(8_000_000 / m));
    const out = new Float32Array(block * m);
    for (let start = 0; start < n; start += block) {
      const count = Math.min(block, n - start);
      kernels.squaredDistances(data.subarray(start * d, (start + count) * d), count, d, sample, m, kernelThreads(), out);
      for (let r = 0; r < count; r++) {
        let best = 0;
        for (let p = 1; p < m; p++) if (out[r * m + p] < out[r * m + best]) best = p;
        visit(start + r, best, exactSquared(data, start + r, sample, best, d));
      }
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bestSquared = Infinity;
    for (let p = 0; p < m; p++) {
      const squared = exactSquared(data, i, sample, p, d);
      if (squared < bestSquared) [best, bestSquared] = [p, squared];
    }
    visit(i, best, bestSquared);
  }
}

function exactSquared(data: Float32Array, i: number, sample: Float32Array, p: number, d: number): number {
  let sum = 0;
  for (let j = 0; j < d; j++) {
    const diff = data[i * d + j] - sample[p * d + j];
    sum += diff * diff;
  }
  return sum;
}
