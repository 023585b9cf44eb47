import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hdbscan } from '../../activities/clustering/hdbscan';
import { adjustedRandIndex } from '../../activities/metrics/external';
import { projectPath } from '../../lib/paths';
import { toMatrix } from '../helpers/sklearn-fixtures';

interface HdbscanCase {
  name: string; min_cluster_size: number; min_samples: number | null; data: number[][];
  labels: number[];
  /** scikit-learn with its spanning-tree edges sorted stably (see scripts/python/make_hdbscan_fixtures.py). */
  labels_stable_edge_order: number[];
}
const cases = (JSON.parse(fs.readFileSync(projectPath('test', 'fixtures', 'sklearn', 'hdbscan.json'), 'utf8')) as { cases: HdbscanCase[] }).cases;

describe('HDBSCAN against scikit-learn', () => {
  for (const testCase of cases) for (const engine of ['js', 'native'] as const) {
    it(`${testCase.name} (min_cluster_size ${testCase.min_cluster_size}, ${engine}): scikit-learn's labels exactly, given the same order of tied edges`, async () => {
      const { data, n, d } = toMatrix(testCase.data);
      const result = await hdbscan(data, n, d, { minClusterSize: testCase.min_cluster_size, minSamples: testCase.min_samples ?? undefined, engine });
      const ours = Array.from(result.labels);
      // Clusters are numbered as scikit-learn numbers them (by condensed-tree id), so labels compare directly.
      expect(ours).toEqual(testCase.labels_stable_edge_order);
      // Against plain scikit-learn (numpy's unstable sort orders tied edges its own way): the
      // same clusters, a handful of points apart at most.
      expect(result.clusters).toBe(Math.max(...testCase.labels) + 1);
      const differing = ours.filter((label, i) => label !== testCase.labels[i]).length;
      expect(differing).toBeLessThanOrEqual(Math.max(2, n * 0.001));
      expect(adjustedRandIndex(testCase.labels, ours)).toBeGreaterThan(0.98);
    });
  }

  it('finds planted dense blobs without being told eps, and leaves sparse background as noise', async () => {
    // 3 tight blobs of 100 points plus 60 uniform background points.
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const centres = [[0, 0], [10, 0], [0, 10]];
    const rows: number[][] = [];
    const truth: number[] = [];
    centres.forEach((centre, c) => {
      for (let i = 0; i < 100; i++) {
        rows.push([centre[0] + (random() - 0.5), centre[1] + (random() - 0.5)]);
        truth.push(c);
      }
    });
    for (let i = 0; i < 60; i++) {
      rows.push([-5 + 20 * random(), -5 + 20 * random()]);
      truth.push(-1);
    }
    const { data, n, d } = toMatrix(rows);
    const { labels, clusters } = await hdbscan(data, n, d, { minClusterSize: 15 });
    expect(clusters).toBe(3);
    const blobLabels = Array.from(labels.subarray(0, 300));
    expect(adjustedRandIndex(truth.slice(0, 300), blobLabels)).toBeGreaterThan(0.95);
    const backgroundNoise = Array.from(labels.subarray(300)).filter((label) => label === -1).length;
    expect(backgroundNoise).toBeGreaterThanOrEqual(30);
    expect(blobLabels.filter((label) => label === -1).length).toBeLessThan(30);
  });

  it('native and TypeScript engines agree bit for bit on core distances, ties included', async () => {
    // Integer grid values: many equal distances and equal mutual reachabilities.
    const n = 500;
    const d = 5;
    const data = Float32Array.from({ length: n * d }, (_, i) => ((i * 7919) % 11) - ((i * 104729) % 7));
    for (const minClusterSize of [5, 20]) {
      const native = await hdbscan(data, n, d, { minClusterSize, minSamples: 4, engine: 'native' });
      const reference = await hdbscan(data, n, d, { minClusterSize, minSamples: 4, engine: 'js' });
      expect(Array.from(native.coreDistances)).toEqual(Array.from(reference.coreDistances));
      expect(Array.from(native.labels)).toEqual(Array.from(reference.labels));
    }
  });

  it('rejects a min_cluster_size below 2', async () => {
    await expect(hdbscan(new Float32Array(4), 2, 2, { minClusterSize: 1 })).rejects.toThrow(/minClusterSize/);
  });
});
