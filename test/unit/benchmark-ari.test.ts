import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { dbscan } from '../../activities/clustering/dbscan';
import { hdbscan } from '../../activities/clustering/hdbscan';
import { hierarchical } from '../../activities/clustering/hierarchical';
import { kmeans } from '../../activities/clustering/kmeans';
import { miniBatchKMeans } from '../../activities/clustering/minibatch-kmeans';
import { standardizeColumns } from '../../activities/clustering/embedding-matrix';
import { adjustedRandIndex } from '../../activities/metrics/external';
import { projectPath } from '../../lib/paths';

const BENCHMARKS = path.resolve(projectPath(), '..', 'shared', 'datasets', 'clustering-benchmarks');
const cases = (JSON.parse(fs.readFileSync(projectPath('test', 'fixtures', 'sklearn', 'benchmark-ari.json'), 'utf8')) as {
  cases: Array<{
    path: string; k: number; kmeans_ari: number; ward_ari: number; average_ari: number;
    dbscan_eps: number; dbscan_min_samples: number; dbscan_ari: number; minibatch_ari_mean: number;
  }>;
}).cases;

function readMatrix(file: string): number[][] {
  return zlib.gunzipSync(fs.readFileSync(file)).toString('utf8').trim().split('\n').map((line) => line.trim().split(/\s+/).map(Number));
}

describe('adjusted Rand index', () => {
  it("matches scikit-learn's values on small examples (sklearn.metrics.adjusted_rand_score)", () => {
    expect(adjustedRandIndex([0, 0, 1, 1], [1, 1, 0, 0])).toBe(1);
    expect(adjustedRandIndex([0, 0, 1, 1], [0, 0, 1, 2])).toBeCloseTo(0.5714285714285715, 12);
    expect(adjustedRandIndex([0, 0, 0, 0], [0, 1, 2, 3])).toBe(0);
    expect(adjustedRandIndex([0, 0, 1, 2], [0, 0, 1, 1])).toBeCloseTo(0.5714285714285715, 12);
    expect(adjustedRandIndex([0, 1, 2, 0, 3, 4, 5, 1], [1, 1, 0, 0, 2, 2, 2, 2])).toBeCloseTo(-0.12903225806451613, 12);
  });
});

describe('k-means on the labelled clustering benchmarks: ARI next to scikit-learn', () => {
  for (const testCase of cases) {
    it(`${testCase.path} (k=${testCase.k}): not worse than scikit-learn's ARI ${testCase.kmeans_ari.toFixed(4)} by more than 0.02`, async () => {
      const rows = readMatrix(path.join(BENCHMARKS, `${testCase.path}.data.gz`));
      const truth = readMatrix(path.join(BENCHMARKS, `${testCase.path}.labels0.gz`)).map((row) => row[0]);
      const n = rows.length;
      const d = rows[0].length;
      const matrix = { data: Float32Array.from(rows.flat()), n, d };
      standardizeColumns(matrix);
      const { labels } = await kmeans(matrix.data, n, d, { k: testCase.k, seed: 2026, nInit: 10 });
      // Points labelled 0 are noise in the benchmark suite and are not scored.
      const kept = truth.flatMap((label, i) => (label > 0 ? [i] : []));
      const ari = adjustedRandIndex(kept.map((i) => truth[i]), kept.map((i) => labels[i]));
      console.log(`${testCase.path}: ours ${ari.toFixed(4)}, scikit-learn ${testCase.kmeans_ari.toFixed(4)}`);
      expect(ari).toBeGreaterThanOrEqual(testCase.kmeans_ari - 0.02);
    });
  }
});

function standardizedBenchmark(name: string) {
  const rows = readMatrix(path.join(BENCHMARKS, `${name}.data.gz`));
  const truth = readMatrix(path.join(BENCHMARKS, `${name}.labels0.gz`)).map((row) => row[0]);
  const matrix = { data: Float32Array.from(rows.flat()), n: rows.length, d: rows[0].length };
  standardizeColumns(matrix);
  const kept = truth.flatMap((label, i) => (label > 0 ? [i] : []));
  const ari = (labels: Int32Array) => adjustedRandIndex(kept.map((i) => truth[i]), kept.map((i) => labels[i]));
  return { matrix, ari };
}

describe('hierarchical and DBSCAN on the labelled clustering benchmarks: ARI next to scikit-learn', () => {
  for (const testCase of cases) {
    it(`${testCase.path}: Ward, average linkage (k=${testCase.k}) and DBSCAN (eps ${testCase.dbscan_eps.toFixed(3)}, min_samples ${testCase.dbscan_min_samples}) within 0.02 of scikit-learn`, async () => {
      const { matrix, ari } = standardizedBenchmark(testCase.path);
      const ours = {
        ward: ari(await hierarchical(matrix.data, matrix.n, matrix.d, { k: testCase.k, linkage: 'ward', sampleSize: matrix.n })),
        average: ari(await hierarchical(matrix.data, matrix.n, matrix.d, { k: testCase.k, linkage: 'average', sampleSize: matrix.n })),
        dbscan: ari((await dbscan(matrix.data, matrix.n, matrix.d, testCase.dbscan_eps, testCase.dbscan_min_samples)).labels),
      };
      console.log(`${testCase.path}: ward ${ours.ward.toFixed(4)} (scikit-learn ${testCase.ward_ari.toFixed(4)}), ` +
        `average ${ours.average.toFixed(4)} (${testCase.average_ari.toFixed(4)}), dbscan ${ours.dbscan.toFixed(4)} (${testCase.dbscan_ari.toFixed(4)})`);
      expect(ours.ward).toBeGreaterThanOrEqual(testCase.ward_ari - 0.02);
      expect(ours.average).toBeGreaterThanOrEqual(testCase.average_ari - 0.02);
      expect(ours.dbscan).toBeGreaterThanOrEqual(testCase.dbscan_ari - 0.02);
    });
  }
});

describe('mini-batch k-means on the labelled clustering benchmarks: mean ARI over 5 seeds next to scikit-learn', () => {
  for (const testCase of cases) {
    it(`${testCase.path} (k=${testCase.k}): not worse than scikit-learn's MiniBatchKMeans (${testCase.minibatch_ari_mean.toFixed(4)}) by more than 0.05`, async () => {
      const { matrix, ari } = standardizedBenchmark(testCase.path);
      let total = 0;
      for (let seed = 1; seed <= 5; seed++) {
        total += ari((await miniBatchKMeans(matrix.data, matrix.n, matrix.d, { k: testCase.k, seed, batchSize: 256, backend: 'js' })).labels);
      }
      console.log(`${testCase.path}: mini-batch ${(total / 5).toFixed(4)}, scikit-learn ${testCase.minibatch_ari_mean.toFixed(4)}`);
      // Both sides are stochastic (different random streams), hence a mean over seeds and a wider margin than the exact algorithms get.
      expect(total / 5).toBeGreaterThanOrEqual(testCase.minibatch_ari_mean - 0.05);
    });
  }
});

const hdbscanCases = (JSON.parse(fs.readFileSync(projectPath('test', 'fixtures', 'sklearn', 'hdbscan.json'), 'utf8')) as {
  benchmark_ari: Array<{ path: string; min_cluster_size: number; min_samples: number; ari: number; clusters: number }>;
}).benchmark_ari;

describe('HDBSCAN on the labelled clustering benchmarks: ARI next to scikit-learn', () => {
  for (const testCase of hdbscanCases) {
    it(`${testCase.path} (min_cluster_size ${testCase.min_cluster_size} = 2% of the points, min_samples ${testCase.min_samples}): within 0.02 of scikit-learn's ARI ${testCase.ari.toFixed(4)}`, async () => {
      const { matrix, ari } = standardizedBenchmark(testCase.path);
      const result = await hdbscan(matrix.data, matrix.n, matrix.d, { minClusterSize: testCase.min_cluster_size, minSamples: testCase.min_samples });
      console.log(`${testCase.path}: hdbscan ${ari(result.labels).toFixed(4)} with ${result.clusters} clusters (scikit-learn ${testCase.ari.toFixed(4)}, ${testCase.clusters})`);
      expect(result.clusters).toBe(testCase.clusters);
      expect(ari(result.labels)).toBeGreaterThanOrEqual(testCase.ari - 0.02);
    });
  }
});
