/**
 * dbscan: our DBSCAN (KD-tree, exact scikit-learn semantics) against scikit-learn's DBSCAN
 * (n_jobs=-1) on 100k x 16 Gaussian blobs in the same run, labels compared for equality; and
 * against density-clustering (quadratic) on a 5k-point subsample.
 *   npm run bench -- dbscan
 * Needs numpy and scikit-learn in the Python of `npm run bench:setup` (or python3).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import clustering from 'density-clustering';
import { dbscan } from '../activities/clustering/dbscan';
import { kernelThreads, nativeKernels } from '../activities/clustering/native';
import { projectPath } from '../lib/paths';
import { gaussianBlobs, peakRssMiB, round } from './helpers';
import { benchPython } from '../lib/tooling/bench-python';

const N = 100_000;
const D = 16;
const EPS = 3;
const MIN_SAMPLES = 10;

export async function run(): Promise<Record<string, unknown>> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bseg-bench-dbscan-'));
  try {
    const data = gaussianBlobs({ n: N, d: D, k: 12, spread: 20, std: 1, noiseFraction: 0.05, seed: 3 });
    const file = path.join(scratch, 'x.f32');
    const labelsFile = path.join(scratch, 'labels.i32');
    fs.writeFileSync(file, Buffer.from(data.buffer));
    const sklearn = JSON.parse(execFileSync(benchPython(), [
      projectPath('bench', 'python', 'dbscan_sklearn.py'), file, String(N), String(D), String(EPS), String(MIN_SAMPLES), labelsFile,
    ]).toString()) as { seconds: number; clusters: number; noise: number };
    const started = performance.now();
    const ours = await dbscan(data, N, D, EPS, MIN_SAMPLES);
    const oursSeconds = (performance.now() - started) / 1000;
    const sklearnLabels = new Int32Array(fs.readFileSync(labelsFile).buffer.slice(0));
    const mismatches = ours.labels.reduce((count, label, i) => count + (label === sklearnLabels[i] ? 0 : 1), 0);

    const small = 5000;
    const rows = Array.from({ length: small }, (_, i) => Array.from(data.subarray(i * D, (i + 1) * D)));
    let t = performance.now();
    new clustering.DBSCAN().run(rows, EPS, MIN_SAMPLES);
    const densitySeconds = (performance.now() - t) / 1000;
    t = performance.now();
    await dbscan(data.subarray(0, small * D), small, D, EPS, MIN_SAMPLES);
    const oursSmallSeconds = (performance.now() - t) / 1000;
    return {
      ours_s: round(oursSeconds),
      reference: `scikit-learn DBSCAN(eps=${EPS}, min_samples=${MIN_SAMPLES}, n_jobs=-1) on ${N} x ${D}`,
      reference_s: round(sklearn.seconds),
      speedup: round(sklearn.seconds / oursSeconds),
      engine: nativeKernels() ? `native, ${kernelThreads()} threads` : 'TypeScript',
      clusters: ours.clusters,
      noise: ours.labels.filter((label) => label === -1).length,
      label_mismatches_vs_sklearn: mismatches,
      density_clustering_5k_s: round(densitySeconds),
      ours_5k_s: round(oursSmallSeconds),
      speedup_vs_density_clustering_5k: round(densitySeconds / oursSmallSeconds),
      peak_rss_mib: peakRssMiB(),
    };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
