import { describe, expect, it } from 'vitest';
import { calinskiHarabasz, daviesBouldin, inertia, silhouette, silhouetteScore } from '../../activities/metrics/internal';
import { loadSklearnCases, relativeError, toMatrix } from '../helpers/sklearn-fixtures';

describe('internal metrics against scikit-learn', () => {
  for (const testCase of loadSklearnCases()) {
    const matrix = toMatrix(testCase.data);
    const labels = Int32Array.from(testCase.labels);
    it(`${testCase.name}: silhouette, Davies-Bouldin, Calinski-Harabasz and inertia to 1e-6`, () => {
      expect(relativeError(silhouette(matrix, labels), testCase.metrics.silhouette)).toBeLessThan(1e-6);
      expect(relativeError(daviesBouldin(matrix, labels), testCase.metrics.davies_bouldin)).toBeLessThan(1e-6);
      expect(relativeError(calinskiHarabasz(matrix, labels), testCase.metrics.calinski_harabasz)).toBeLessThan(1e-6);
      expect(relativeError(inertia(matrix, labels), testCase.inertia)).toBeLessThan(1e-6);
    });
  }

  it('silhouette is exact up to the sample size and a close, seeded estimate above it', () => {
    const testCase = loadSklearnCases()[2];
    const matrix = toMatrix(testCase.data);
    const labels = Int32Array.from(testCase.labels);
    expect(silhouetteScore(matrix, labels, 5000, 1)).toEqual({ value: silhouette(matrix, labels), sampled: false });
    const sampled = silhouetteScore(matrix, labels, 400, 1);
    expect(sampled.sampled).toBe(true);
    expect(sampled).toEqual(silhouetteScore(matrix, labels, 400, 1));
    expect(Math.abs(sampled.value - testCase.metrics.silhouette)).toBeLessThan(0.05);
  });
});
