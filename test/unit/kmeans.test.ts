import { describe, expect, it } from 'vitest';
import { kmeans as mlKMeans } from 'ml-kmeans';
import { kmeans } from '../../activities/clustering/kmeans';
import { loadSklearnCases, relativeError, toMatrix } from '../helpers/sklearn-fixtures';

const BACKENDS = ['js', 'onnx-f64', 'onnx-f32', 'native'] as const;

describe('k-means against scikit-learn', () => {
  for (const testCase of loadSklearnCases()) {
    for (const backend of BACKENDS) {
      it(`${testCase.name} (${backend}): same initial centres give scikit-learn's labels, inertia and iterations`, async () => {
        const { data, n, d } = toMatrix(testCase.data);
        const result = await kmeans(data, n, d, { k: testCase.k, seed: 1, backend, initialCenters: Float64Array.from(testCase.init.flat()) });
        expect(Array.from(result.labels)).toEqual(testCase.labels);
        expect(relativeError(result.inertia, testCase.inertia)).toBeLessThan(1e-4);
        expect(result.iterations).toBe(testCase.n_iter);
      });
    }

    it(`${testCase.name}: k-means++ with 10 restarts is within 1% of scikit-learn's best inertia`, async () => {
      const { data, n, d } = toMatrix(testCase.data);
      const result = await kmeans(data, n, d, { k: testCase.k, seed: 42, nInit: 10 });
      expect(result.inertia).toBeLessThanOrEqual(testCase.kmeanspp_best_inertia * 1.01);
    });
  }

  it('matches ml-kmeans (the reference package) from the same initial centres', async () => {
    const testCase = loadSklearnCases()[0];
    const { data, n, d } = toMatrix(testCase.data);
    const ours = await kmeans(data, n, d, { k: testCase.k, seed: 1, initialCenters: Float64Array.from(testCase.init.flat()) });
    const reference = mlKMeans(testCase.data, testCase.k, { initialization: testCase.init, maxIterations: 300, tolerance: 1e-8 });
    expect(Array.from(ours.labels)).toEqual(reference.clusters);
  });

  it('is deterministic for a seed and re-seeds empty clusters', async () => {
    const testCase = loadSklearnCases()[1];
    const { data, n, d } = toMatrix(testCase.data);
    const a = await kmeans(data, n, d, { k: 4, seed: 9, nInit: 2 });
    const b = await kmeans(data, n, d, { k: 4, seed: 9, nInit: 2 });
    expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
    // Two identical initial centres: one cluster starts empty and must be re-seeded, not NaN.
    const init = Float64Array.from([...testCase.data[0], ...testCase.data[0], ...testCase.data[50], ...testCase.data[100]]);
    const result = await kmeans(data, n, d, { k: 4, seed: 1, initialCenters: init });
    expect(result.centers.every(Number.isFinite)).toBe(true);
    expect(new Set(result.labels).size).toBe(4);
  });
});
