/**
 * hdbscan: our HDBSCAN (native core distances + Prim's spanning tree, TypeScript condensed tree and
 * selection) against scikit-learn's HDBSCAN on the same Gaussian blobs (with 5% background) in the
 * same run, at the sweep's default sample size (5,000) in 19 dimensions (behavior-stats) and 384
 * (the transformer's); labels compared by ARI.
 *   npm run bench -- hdbscan
 * Needs numpy and scikit-learn in the Python of `npm run bench:setup` (or python3).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { hdbscan } from '../activities/clustering/hdbscan';
import { kernelThreads, nativeKernels } from '../activities/clustering/native';
import { adjustedRandIndex } from '../activities/metrics/external';
import { projectPath } from '../lib/paths';
import { gaussianBlobs, peakRssMiB, round } from './helpers';
import { benchPython } from '../lib/tooling/bench-python';

const CASES = [{ n: 5000, d: 19 }, { n: 5000, d: 384 }];
const MIN_CLUSTER_SIZE = 50;
const MIN_SAMPLES = 10;

export async function run(): Promise<Record<string, unknown>> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bseg-bench-hdbscan-'));
  const cases = [];
  try {
    for (const { n, d } of CASES) {
      const data = gaussianBlobs({ n, d, k: 6, spread: 5, std: 1, noiseFraction: 0.05, seed: 3 });
      const file = path.join(scratch, 'x.f32');
      const labelsFile = path.join(scratch, 'labels.i32');
      fs.writeFileSync(file, Buffer.from(data.buffer));
      const sklearn = JSON.parse(execFileSync(benchPython(), [
        projectPath('bench', 'python', 'hdbscan_sklearn.py'), file, String(n), String(d), String(MIN_CLUSTER_SIZE), String(MIN_SAMPLES), labelsFile,
      ]).toString()) as { seconds: number; clusters: number };
      const started = performance.now();
      const ours = await hdbscan(data, n, d, { minClusterSize: MIN_CLUSTER_SIZE, minSamples: MIN_SAMPLES });
      const oursSeconds = (performance.now() - started) / 1000;
      const sklearnLabels = Array.from(new Int32Array(fs.readFileSync(labelsFile).buffer.slice(0)));
      const row = {
        case: `${n}x${d}`, ours_s: round(oursSeconds), sklearn_s: round(sklearn.seconds), speedup: round(sklearn.seconds / oursSeconds),
        clusters: ours.clusters, sklearn_clusters: sklearn.clusters, ari_vs_sklearn: round(adjustedRandIndex(sklearnLabels, Array.from(ours.labels))),
      };
      console.log(JSON.stringify(row));
      cases.push(row);
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  const oursTotal = cases.reduce((sum, row) => sum + row.ours_s, 0);
  const sklearnTotal = cases.reduce((sum, row) => sum + row.sklearn_s, 0);
  return {
    ours_s: round(oursTotal),
    reference: `scikit-learn HDBSCAN(min_cluster_size=${MIN_CLUSTER_SIZE}, min_samples=${MIN_SAMPLES}), same data, same run`,
    reference_s: round(sklearnTotal),
    speedup: round(sklearnTotal / oursTotal),
    engine: nativeKernels() ? `native, ${kernelThreads()} threads` : 'TypeScript',
    cases,
    peak_rss_mib: peakRssMiB(),
  };
}
