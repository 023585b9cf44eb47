import { runConfigError } from '../../common/errors';
import { sampleIndices, seededRandom } from './random';
import { keepSmallest } from './smallest-values';
import { kernelThreads, kernelsFor, type Engine, type NativeKernels } from './native';

/**
 * DBSCAN's eps from the data (Ester et al. 1996, the "k-distance" heuristic): the `quantile` of
 * the distance from a point to its minSamples-th nearest neighbour (itself counted, as
 * scikit-learn counts min_samples). Measured for a seeded sample of up to `probes` points against
 * all points, so it costs probes x n distances.
 */
export async function epsFromKDistance(
  data: Float32Array, n: number, d: number, minSamples: number, quantile: number, seed: number, probes = 1000, engine?: Engine,
): Promise<number> {
  if (minSamples > n) throw runConfigError(`DBSCAN: min_samples=${minSamples} exceeds the ${n} users: set dbscanMinSamples to at most ${n}, or give the run more users`);
  const chosen = sampleIndices(n, Math.min(probes, n), seededRandom(seed));
  const kernels = kernelsFor(engine, 'DBSCAN eps');
  const kDistances = kernels ? await nativeKDistances(kernels, data, n, d, chosen, minSamples) : kDistancesOf(data, n, d, chosen, minSamples);
  kDistances.sort();
  const position = quantile * (kDistances.length - 1);
  const low = Math.floor(position);
  const high = Math.min(low + 1, kDistances.length - 1);
  const eps = kDistances[low] + (kDistances[high] - kDistances[low]) * (position - low);
  return eps > 0 ? eps : Number.MIN_VALUE;
}

/** The same distances from the native kernel (native/hdbscan.c: identical float64 arithmetic, every core). */
async function nativeKDistances(kernels: NativeKernels, data: Float32Array, n: number, d: number, chosen: Int32Array, minSamples: number): Promise<Float64Array> {
  const out = new Float64Array(chosen.length);
  await kernels.kthNearestDistances(data, n, d, chosen, minSamples, kernelThreads(), out);
  return out;
}

function kDistancesOf(data: Float32Array, n: number, d: number, chosen: Int32Array, minSamples: number): Float64Array {
  const kDistances = new Float64Array(chosen.length);
  const nearest = new Float64Array(minSamples); // sorted ascending, squared distances
  chosen.forEach((probe, p) => {
    nearest.fill(Infinity);
    for (let j = 0; j < n; j++) {
      let distance = 0;
      for (let c = 0; c < d; c++) {
        const diff = data[probe * d + c] - data[j * d + c];
        distance += diff * diff;
      }
      keepSmallest(nearest, distance);
    }
    kDistances[p] = Math.sqrt(nearest[minSamples - 1]);
  });
  return kDistances;
}
