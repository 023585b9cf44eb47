import fs from 'node:fs';
import os from 'node:os';
import { createRequire } from 'node:module';
import { NATIVE_ADDON } from '../../lib/tooling/native-build';

/**
 * The compiled clustering kernels (native/, built by `npm run build:native`). Every engine that
 * uses them keeps a TypeScript/onnxruntime path with the same results, used when the addon is
 * not built or BSEG_NATIVE=0; tests check both against scikit-learn.
 */
export interface NativeKernels {
  kmeansAssign(
    data: Float32Array, n: number, d: number, centers: Float32Array, k: number, threads: number,
    labels: Int32Array, distances: Float64Array, sums: Float64Array, counts: Float64Array,
  ): void;
  meanColumnVariance(data: Float32Array, n: number, d: number, threads: number): number;
  squaredDistances(data: Float32Array, n: number, d: number, points: Float32Array, m: number, threads: number, out: Float32Array): void;
  // The next four run on libuv's thread pool (seconds of work) and settle when their outputs are written.
  dbscan(data: Float32Array, n: number, d: number, eps: number, minSamples: number, threads: number, labels: Int32Array, core: Uint8Array): Promise<number>;
  hdbscanMst(
    data: Float32Array, n: number, d: number, minSamples: number, threads: number,
    core: Float64Array, from: Int32Array, to: Int32Array, weight: Float64Array,
  ): Promise<number>;
  kthNearestDistances(data: Float32Array, n: number, d: number, rows: Int32Array, k: number, threads: number, out: Float64Array): Promise<number>;
  linkage(
    data: Float32Array, rows: Int32Array, m: number, d: number, method: 0 | 1, threads: number,
    mergeA: Int32Array, mergeB: Int32Array, mergeDistance: Float64Array,
  ): Promise<number>;
}

let loaded: NativeKernels | null | undefined;

/** The kernels, or null (with one warning) when they are not built or switched off. */
export function nativeKernels(): NativeKernels | null {
  if (loaded !== undefined) return loaded;
  if (process.env.BSEG_NATIVE === '0') return (loaded = null);
  if (!fs.existsSync(NATIVE_ADDON)) {
    console.warn(`native clustering kernels not built (${NATIVE_ADDON} missing; run npm run build:native): using the slower TypeScript/onnxruntime paths`);
    return (loaded = null);
  }
  loaded = createRequire(import.meta.url)(NATIVE_ADDON) as NativeKernels;
  return loaded;
}

/** Which implementation an engine runs: 'native', 'js' (the TypeScript reference), or the native one when built. */
export type Engine = 'native' | 'js';

/** The kernels an engine should use, null for its TypeScript path; throws when 'native' is asked for but not built. */
export function kernelsFor(engine: Engine | undefined, algorithm: string): NativeKernels | null {
  if (engine === 'js') return null;
  const kernels = nativeKernels();
  if (engine === 'native' && !kernels) throw new Error(`${algorithm}: the native engine was asked for but the kernels are not built (npm run build:native)`);
  return kernels;
}

/** Threads for the kernels: $BSEG_CLUSTER_THREADS or every core. */
export function kernelThreads(): number {
  const configured = Number(process.env.BSEG_CLUSTER_THREADS);
  return Number.isInteger(configured) && configured > 0 ? configured : os.availableParallelism();
}
