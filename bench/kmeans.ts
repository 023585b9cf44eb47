/**
 * kmeans: our k-means (k-means++ init, Lloyd, native kernel when built) against scikit-learn's
 * KMeans (lloyd, k-means++, n_init=1, same tol and max_iter) on the same Gaussian-blob data in
 * the same run, and against ml-kmeans per iteration (it is too slow to run to convergence).
 *   npm run bench -- kmeans            # 100k x 64 k=20, 100k x 384 k=20, 1M x 64 k=50
 * Two comparisons per case:
 *   - full fits over SEEDS seeds each (k-means++ draws differ between the libraries, so single
 *     fits converge in different numbers of iterations; summing seeds evens that out)
 *   - Lloyd from the same initial centres: the same iterations on both sides, one for one
 * Needs numpy and scikit-learn in the Python of `npm run bench:setup` (or python3).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { kmeans as mlKMeans } from 'ml-kmeans';
import { distanceBackend, kmeans, kmeansPlusPlus } from '../activities/clustering/kmeans';
import { seededRandom } from '../activities/clustering/random';
import { nativeKernels } from '../activities/clustering/native';
import { projectPath } from '../lib/paths';
import { gaussianBlobs, peakRssMiB, round } from './helpers';
import { benchPython } from '../lib/tooling/bench-python';

interface Case { n: number; d: number; k: number }
const CASES: Case[] = [{ n: 100_000, d: 64, k: 20 }, { n: 100_000, d: 384, k: 20 }, { n: 1_000_000, d: 64, k: 50 }];
const SEEDS = 3;

interface Fit { seconds: number; inertia: number; n_iter: number }

export async function run(): Promise<Record<string, unknown>> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bseg-bench-kmeans-'));
  const cases = [];
  try {
    for (const testCase of CASES) {
      const { n, d, k } = testCase;
      // Overlapping blobs (std 2, centres in [-3, 3]): Lloyd needs tens of iterations.
      const data = gaussianBlobs({ n, d, k, spread: 3, std: 2, seed: 7 });
      const firstCenters = await kmeansPlusPlusCenters(data, n, d, k);
      const ours: Fit[] = [];
      for (let seed = 0; seed < SEEDS; seed++) {
        const started = performance.now();
        const result = await kmeans(data, n, d, { k, seed, nInit: 1, maxIterations: 300 });
        ours.push({ seconds: (performance.now() - started) / 1000, inertia: result.inertia, n_iter: result.iterations });
      }
      const dataFile = path.join(scratch, `x-${n}x${d}.f32`);
      const initFile = path.join(scratch, `init-${n}x${d}.f64`);
      fs.writeFileSync(dataFile, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
      fs.writeFileSync(initFile, Buffer.from(firstCenters.buffer));
      const sklearn = JSON.parse(execFileSync(benchPython(), [projectPath('bench', 'python', 'kmeans_sklearn.py'), dataFile, String(n), String(d), String(k), String(SEEDS), initFile], { maxBuffer: 1 << 24 }).toString()) as {
        fits: Fit[]; from_init: Fit;
      };
      const started = performance.now();
      const fromInit = await kmeans(data, n, d, { k, seed: 0, initialCenters: firstCenters, maxIterations: 300 });
      const fromInitSeconds = (performance.now() - started) / 1000;
      const total = (fits: Fit[]) => fits.reduce((sum, fit) => sum + fit.seconds, 0);
      const row: Record<string, unknown> = {
        case: `${n}x${d} k=${k}`,
        ours_s: round(total(ours)), ours_iterations: ours.map((fit) => fit.n_iter), ours_inertia: ours.map((fit) => round(fit.inertia)),
        sklearn_s: round(total(sklearn.fits)), sklearn_iterations: sklearn.fits.map((fit) => fit.n_iter), sklearn_inertia: sklearn.fits.map((fit) => round(fit.inertia)),
        speedup: round(total(sklearn.fits) / total(ours)),
        same_init: {
          ours_s: round(fromInitSeconds), ours_iterations: fromInit.iterations, sklearn_s: round(sklearn.from_init.seconds), sklearn_iterations: sklearn.from_init.n_iter,
          speedup: round(sklearn.from_init.seconds / fromInitSeconds),
        },
      };
      if (n * d <= 10_000_000) {
        // ml-kmeans: 3 iterations, timed per iteration, against our Lloyd iterations from the same init.
        const rows = Array.from({ length: n }, (_, i) => Array.from(data.subarray(i * d, (i + 1) * d)));
        const mlStarted = performance.now();
        mlKMeans(rows, k, { initialization: 'random', maxIterations: 3, seed: 1 });
        const mlPerIteration = (performance.now() - mlStarted) / 1000 / 3;
        row.ml_kmeans_per_iteration_s = round(mlPerIteration);
        row.speedup_vs_ml_kmeans_per_iteration = round(mlPerIteration / (fromInitSeconds / fromInit.iterations));
      }
      console.log(JSON.stringify(row));
      cases.push(row);
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  const oursTotal = cases.reduce((sum, row) => sum + (row.ours_s as number), 0);
  const sklearnTotal = cases.reduce((sum, row) => sum + (row.sklearn_s as number), 0);
  return {
    ours_s: round(oursTotal),
    reference: `scikit-learn KMeans (lloyd, k-means++, n_init=1), ${SEEDS} seeds per case, same data, same run`,
    reference_s: round(sklearnTotal),
    speedup: round(sklearnTotal / oursTotal),
    backend: nativeKernels() ? 'native' : 'onnx-f32',
    threads: os.availableParallelism(),
    cases,
    peak_rss_mib: peakRssMiB(),
  };
}

/** The k-means++ centres our seed 0 starts from (kmeans() seeds its generator the same way). */
async function kmeansPlusPlusCenters(data: Float32Array, n: number, d: number, k: number): Promise<Float64Array> {
  const backend = await distanceBackend(data, n, d, undefined);
  try {
    return await kmeansPlusPlus(data, n, d, k, seededRandom(0), backend);
  } finally {
    await backend.dispose();
  }
}
