/**
 * kmeans: our k-means (k-means++ init, Lloyd, onnxruntime distance kernel) against scikit-learn's
 * KMeans (lloyd, k-means++, n_init=1, same tol and max_iter) on the same Gaussian-blob data in
 * the same run, and against ml-kmeans per iteration (it is too slow to run to convergence).
 *   npm run bench -- kmeans            # 100k x 64 k=20, 100k x 384 k=20, 1M x 64 k=50
 * Needs python3 with numpy and scikit-learn (pip install scikit-learn).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { kmeans as mlKMeans } from 'ml-kmeans';
import { kmeans } from '../activities/clustering/kmeans';
import { projectPath } from '../lib/paths';
import { gaussianBlobs, peakRssMiB, round } from './helpers';

interface Case { n: number; d: number; k: number }
const CASES: Case[] = [{ n: 100_000, d: 64, k: 20 }, { n: 100_000, d: 384, k: 20 }, { n: 1_000_000, d: 64, k: 50 }];

export async function run(): Promise<Record<string, unknown>> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bseg-bench-kmeans-'));
  const cases = [];
  try {
    for (const testCase of CASES) {
      const { n, d, k } = testCase;
      // Overlapping blobs (std 2, centres in [-3, 3]): Lloyd needs tens of iterations.
      const data = gaussianBlobs({ n, d, k, spread: 3, std: 2, seed: 7 });
      const file = path.join(scratch, `x-${n}x${d}.f32`);
      fs.writeFileSync(file, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
      const sklearn = JSON.parse(execFileSync('python3', [projectPath('bench', 'python', 'kmeans_sklearn.py'), file, String(n), String(d), String(k)]).toString()) as {
        seconds: number; inertia: number; n_iter: number;
      };
      const started = performance.now();
      const ours = await kmeans(data, n, d, { k, seed: 0, nInit: 1, maxIterations: 300 });
      const oursSeconds = (performance.now() - started) / 1000;
      const row: Record<string, unknown> = {
        case: `${n}x${d} k=${k}`,
        ours_s: round(oursSeconds), ours_iterations: ours.iterations, ours_inertia: round(ours.inertia),
        sklearn_s: round(sklearn.seconds), sklearn_iterations: sklearn.n_iter, sklearn_inertia: round(sklearn.inertia),
        speedup: round(sklearn.seconds / oursSeconds),
        per_iteration_speedup: round((sklearn.seconds / sklearn.n_iter) / (oursSeconds / ours.iterations)),
      };
      if (n * d <= 10_000_000) {
        // ml-kmeans: 3 iterations from the same k-means++ seeding cost, timed per iteration.
        const rows = Array.from({ length: n }, (_, i) => Array.from(data.subarray(i * d, (i + 1) * d)));
        const mlStarted = performance.now();
        mlKMeans(rows, k, { initialization: 'random', maxIterations: 3, seed: 1 });
        const mlPerIteration = (performance.now() - mlStarted) / 1000 / 3;
        row.ml_kmeans_per_iteration_s = round(mlPerIteration);
        row.speedup_vs_ml_kmeans_per_iteration = round(mlPerIteration / (oursSeconds / ours.iterations));
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
    reference: 'scikit-learn KMeans (lloyd, k-means++, n_init=1), same data, same run',
    reference_s: round(sklearnTotal),
    speedup: round(sklearnTotal / oursTotal),
    cases,
    peak_rss_mib: peakRssMiB(),
  };
}
