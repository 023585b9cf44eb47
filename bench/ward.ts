/**
 * ward: our agglomerative clustering (Ward linkage, nearest-neighbour chain) against
 * scikit-learn's AgglomerativeClustering(linkage="ward") on 20k x 32 Gaussian blobs in the same
 * run; partitions compared by ARI (1 = identical).
 *   npm run bench -- ward
 * Needs numpy and scikit-learn in the Python of `npm run bench:setup` (or python3).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { hierarchical } from '../activities/clustering/hierarchical';
import { adjustedRandIndex } from '../activities/metrics/external';
import { kernelThreads, nativeKernels } from '../activities/clustering/native';
import { projectPath } from '../lib/paths';
import { gaussianBlobs, peakRssMiB, round } from './helpers';
import { benchPython } from '../lib/tooling/bench-python';

const N = 20_000;
const D = 32;
const K = 10;

export async function run(): Promise<Record<string, unknown>> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bseg-bench-ward-'));
  try {
    const data = gaussianBlobs({ n: N, d: D, k: K, spread: 5, std: 2, seed: 11 });
    const file = path.join(scratch, 'x.f32');
    const labelsFile = path.join(scratch, 'labels.i32');
    fs.writeFileSync(file, Buffer.from(data.buffer));
    const sklearn = JSON.parse(execFileSync(benchPython(), [projectPath('bench', 'python', 'ward_sklearn.py'), file, String(N), String(D), String(K), labelsFile]).toString()) as { seconds: number };
    const started = performance.now();
    const ours = await hierarchical(data, N, D, { k: K, linkage: 'ward', sampleSize: N });
    const oursSeconds = (performance.now() - started) / 1000;
    const sklearnLabels = Array.from(new Int32Array(fs.readFileSync(labelsFile).buffer.slice(0)));
    return {
      ours_s: round(oursSeconds),
      reference: `scikit-learn AgglomerativeClustering(n_clusters=${K}, linkage="ward") on ${N} x ${D}`,
      reference_s: round(sklearn.seconds),
      speedup: round(sklearn.seconds / oursSeconds),
      engine: nativeKernels() ? `native, ${kernelThreads()} threads for the distance matrix` : 'TypeScript',
      ari_vs_sklearn: round(adjustedRandIndex(sklearnLabels, Array.from(ours))),
      peak_rss_mib: peakRssMiB(),
    };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
