import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { spectralClustering } from '../../activities/clustering/spectral';
import { adjustedRandIndex } from '../../activities/metrics/external';
import { projectPath } from '../../lib/paths';
import { labelledBenchmark } from '../helpers/clustering-benchmarks';

/** Written by scripts/python/make_spectral_fixtures.py: scikit-learn's SpectralClustering ARI per benchmark. */
interface SpectralCase { path: string; n: number; k: number; n_neighbors: number; graph_components: number; ari: number }
const fixture = JSON.parse(fs.readFileSync(projectPath('test', 'fixtures', 'sklearn', 'spectral.json'), 'utf8')) as {
  benchmark_ari: SpectralCase[];
  sampled: SpectralCase[];
};

describe("spectral clustering on the labelled benchmarks: ARI next to scikit-learn's SpectralClustering (nearest_neighbors, n_neighbors=10)", () => {
  for (const testCase of fixture.benchmark_ari) {
    it(`${testCase.path} (n=${testCase.n}, k=${testCase.k}): graph of ${testCase.graph_components} component(s), ARI not below scikit-learn's ${testCase.ari.toFixed(4)} by more than 0.02`, async () => {
      const { matrix, ari } = labelledBenchmark(testCase.path);
      const started = performance.now();
      const result = await spectralClustering(matrix.data, matrix.n, matrix.d, { k: testCase.k, neighbors: testCase.n_neighbors, sampleSize: matrix.n, seed: 0, nInit: 10 });
      console.log(`${testCase.path}: spectral ${ari(result.labels).toFixed(4)} (scikit-learn ${testCase.ari.toFixed(4)}), ` +
        `${result.components} component(s), ${result.lanczosSteps} Lanczos steps, ${((performance.now() - started) / 1000).toFixed(2)} s`);
      expect(result.sampled).toBe(matrix.n);
      expect(result.components).toBe(testCase.graph_components);
      expect(ari(result.labels)).toBeGreaterThanOrEqual(testCase.ari - 0.02);
    });
  }
});

describe('spectral clustering on a sample, extended to every point by its nearest sampled neighbours', () => {
  for (const testCase of fixture.sampled) {
    it(`${testCase.path} (n=${testCase.n}, k=${testCase.k}): 2,000 sampled points lose at most 0.02 ARI against the graph of all points`, async () => {
      const { matrix, ari } = labelledBenchmark(testCase.path);
      const options = { k: testCase.k, neighbors: testCase.n_neighbors, seed: 0, nInit: 10 };
      const full = ari((await spectralClustering(matrix.data, matrix.n, matrix.d, { ...options, sampleSize: matrix.n })).labels);
      expect(full).toBeGreaterThanOrEqual(testCase.ari - 0.02);
      for (const seed of [1, 2]) {
        const sampled = await spectralClustering(matrix.data, matrix.n, matrix.d, { ...options, seed, sampleSize: 2000 });
        console.log(`${testCase.path}: all ${matrix.n} points ${full.toFixed(4)} (scikit-learn ${testCase.ari.toFixed(4)}), sample of 2000 (seed ${seed}) ${ari(sampled.labels).toFixed(4)}`);
        expect(sampled.sampled).toBe(2000);
        expect(Math.min(...sampled.labels)).toBe(0);
        expect(Math.max(...sampled.labels)).toBe(testCase.k - 1);
        expect(ari(sampled.labels)).toBeGreaterThanOrEqual(full - 0.02);
      }
    });
  }

  it('gives the same labels for the same seed, and samples other users for another seed', async () => {
    const { matrix } = labelledBenchmark('sipu/aggregation');
    const options = { k: 7, neighbors: 10, sampleSize: 400, nInit: 4 };
    const first = await spectralClustering(matrix.data, matrix.n, matrix.d, { ...options, seed: 11 });
    const again = await spectralClustering(matrix.data, matrix.n, matrix.d, { ...options, seed: 11 });
    expect(Array.from(again.labels)).toEqual(Array.from(first.labels));
    expect(again.eigenvalues).toEqual(first.eigenvalues);
    const other = await spectralClustering(matrix.data, matrix.n, matrix.d, { ...options, seed: 12 });
    expect(other.eigenvalues).not.toEqual(first.eigenvalues);
    // Another sample, much the same partition.
    expect(adjustedRandIndex(first.labels, other.labels)).toBeGreaterThan(0.8);
  });
});
