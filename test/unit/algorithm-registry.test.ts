import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ALGORITHMS, algorithmFor, type AlgorithmParams } from '../../activities/clustering/algorithms';
import { adjustedRandIndex } from '../../activities/metrics/external';
import { planSweep } from '../../activities/plan-sweep';
import { candidateKey, candidateRef, candidateSeed, paramsLabel } from '../../common/candidates';
import { CLUSTERING_ALGORITHMS, resolveRunConfig } from '../../common/run-config';
import { projectPath } from '../../lib/paths';
import { toMatrix } from '../helpers/sklearn-fixtures';

/** s1 (SIPU), every 5th point, standardized: 15 known Gaussian clusters (the labels are the truth). */
const s1 = (JSON.parse(fs.readFileSync(projectPath('test', 'fixtures', 'sklearn', 'hierarchical.json'), 'utf8')) as {
  cases: Array<{ name: string; data: number[][]; labels: number[] }>;
}).cases.find((testCase) => testCase.name.startsWith('s1'))!;

describe('clustering algorithm registry', () => {
  it('registers exactly the algorithms the config accepts', () => {
    expect(ALGORITHMS.map((algorithm) => algorithm.name).sort()).toEqual([...CLUSTERING_ALGORITHMS].sort());
  });

  it('derives the label, directory key and seed from typed parameters as runs always named them', () => {
    const dbscan = { encoder: 'behavior-stats', params: { algorithm: 'dbscan', q: 0.75, min_samples: 10 } } as const;
    expect(paramsLabel(dbscan.params)).toBe('q=0.75,min_samples=10');
    expect(candidateKey(dbscan)).toBe('behavior-stats--dbscan-q0.75minsamples10');
    expect(candidateRef({ encoder: 'transformer', params: { algorithm: 'kmeans', k: 5 } })).toEqual({ encoder: 'transformer', algorithm: 'kmeans', params: 'k=5', k: 5 });
    expect(candidateRef({ encoder: 'tfidf', params: { algorithm: 'hdbscan', min_cluster_share: 0.05 } }).params).toBe('min_cluster_share=0.05');
    // The seed of a candidate is part of what a run produces: it must not drift with refactoring.
    expect(candidateSeed('drop-1', { encoder: 'behavior-stats', params: { algorithm: 'kmeans', k: 3 } })).toBe(candidateSeed('drop-1', { encoder: 'behavior-stats', params: { algorithm: 'kmeans', k: 3 } }));
    expect(candidateSeed('drop-1', { encoder: 'behavior-stats', params: { algorithm: 'kmeans', k: 3 } })).not.toBe(candidateSeed('drop-1', { encoder: 'behavior-stats', params: { algorithm: 'kmeans', k: 4 } }));
  });

  it('caps k-based grids at the users to segment, and hierarchical ones at their sample', async () => {
    const config = resolveRunConfig({ encoders: ['behavior-stats'], algorithms: ['kmeans', 'ward'], kMin: 2, kMax: 20, hierarchicalSampleSize: 10 });
    const labels = (await planSweep({ config, encoders: config.encoders, users: 6 })).candidates.map((candidate) => `${candidate.params.algorithm}:${paramsLabel(candidate.params)}`);
    expect(labels).toEqual(['kmeans:k=2', 'kmeans:k=3', 'kmeans:k=4', 'kmeans:k=5', 'kmeans:k=6', 'ward:k=2', 'ward:k=3', 'ward:k=4', 'ward:k=5', 'ward:k=6']);
    const moreUsers = (await planSweep({ config, encoders: config.encoders, users: 1000 })).candidates.filter((candidate) => candidate.params.algorithm === 'ward');
    expect(moreUsers).toHaveLength(9);
  });

  // Every algorithm that fits in an activity, on labelled data: its fit finds the planted clusters,
  // and its refit (what stability compares with) reproduces its own partition.
  const config = resolveRunConfig({ kMin: 15, kMax: 15, dbscanEpsQuantiles: [0.9], dbscanMinSamples: [5], hdbscanMinClusterShares: [0.02] });
  for (const algorithm of ALGORITHMS.filter((candidate) => candidate.name !== 'distributed-kmeans')) {
    it(`${algorithm.name}: fit finds s1's 15 clusters, refit agrees with the fit, neither writes to the matrix`, async () => {
      const matrix = toMatrix(s1.data);
      const untouched = Float32Array.from(matrix.data);
      const [params] = algorithm.grid(config, matrix.n) as AlgorithmParams[];
      const typed = algorithmFor(params);
      const fitted = await typed.fit(matrix, params, { config, seed: 7 });
      const clustered = Array.from(fitted.labels).filter((label) => label >= 0).length;
      expect(clustered).toBeGreaterThan(0.8 * matrix.n);
      expect(adjustedRandIndex(s1.labels, Array.from(fitted.labels))).toBeGreaterThan(0.8);
      const refit = typed.refit(params, { config, details: fitted.details });
      const again = await refit.fit(matrix, 7);
      expect(adjustedRandIndex(Array.from(fitted.labels), Array.from(again))).toBeGreaterThan(0.8);
      // The sweep's candidates of one encoder share one loaded matrix (withSharedEmbeddingMatrix).
      expect(matrix.data).toEqual(untouched);
    });
  }

  it('distributed-kmeans is fitted by its child workflow, not in an activity', () => {
    const [params] = algorithmFor({ algorithm: 'distributed-kmeans', k: 3 }).grid(config, 100);
    expect(() => algorithmFor(params).fit(toMatrix(s1.data), params, { config, seed: 1 })).toThrow(/child workflow/);
  });
});
