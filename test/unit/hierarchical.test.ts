import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hierarchical, type Linkage } from '../../activities/clustering/hierarchical';
import { adjustedRandIndex } from '../../activities/metrics/external';
import { projectPath } from '../../lib/paths';
import { toMatrix } from '../helpers/sklearn-fixtures';

const cases = (JSON.parse(fs.readFileSync(projectPath('test', 'fixtures', 'sklearn', 'hierarchical.json'), 'utf8')) as {
  cases: Array<{ name: string; k: number; linkage: Linkage; data: number[][]; labels: number[] }>;
}).cases;

describe('hierarchical clustering against scikit-learn', () => {
  for (const testCase of cases) for (const engine of ['js', 'native'] as const) {
    it(`${testCase.name}, ${testCase.linkage} (${engine}): the same partition as AgglomerativeClustering (up to renumbering)`, async () => {
      const { data, n, d } = toMatrix(testCase.data);
      const labels = await hierarchical(data, n, d, { k: testCase.k, linkage: testCase.linkage, engine });
      expect(new Set(labels).size).toBe(testCase.k);
      expect(adjustedRandIndex(testCase.labels, Array.from(labels))).toBe(1);
    });
  }

  it('native and TypeScript engines give identical labels, ties included', async () => {
    // Integer grid points: many exactly equal distances, so tie-breaking must match too.
    const n = 300;
    const d = 3;
    const data = Float32Array.from({ length: n * d }, (_, i) => ((i * 7919) % 13) + (i % 3));
    for (const linkage of ['ward', 'average'] as const) {
      for (const k of [2, 7, 40]) {
        const native = await hierarchical(data, n, d, { k, linkage, engine: 'native' });
        const reference = await hierarchical(data, n, d, { k, linkage, engine: 'js' });
        expect(Array.from(native)).toEqual(Array.from(reference));
      }
    }
  });

  it('clusters a sample and assigns the rest to the nearest centroid above sampleSize', async () => {
    const testCase = cases.find((item) => item.name.startsWith('s1'))!;
    const { data, n, d } = toMatrix(testCase.data);
    const sampled = await hierarchical(data, n, d, { k: testCase.k, linkage: 'ward', sampleSize: 400, seed: 1 });
    expect(sampled).toHaveLength(n);
    expect(adjustedRandIndex(testCase.labels, Array.from(sampled))).toBeGreaterThan(0.9);
  });
});
