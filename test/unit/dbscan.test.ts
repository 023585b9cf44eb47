import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import clustering from 'density-clustering';
import { dbscan } from '../../activities/clustering/dbscan';
import { epsFromKDistance } from '../../activities/clustering/eps-from-k-distance';
import { projectPath } from '../../lib/paths';
import { toMatrix } from '../helpers/sklearn-fixtures';

interface DbscanCase { name: string; eps: number; min_samples: number; data: number[][]; labels: number[]; core: boolean[] }
const ENGINES = ['js', 'native'] as const;
const cases = (JSON.parse(fs.readFileSync(projectPath('test', 'fixtures', 'sklearn', 'dbscan.json'), 'utf8')) as { cases: DbscanCase[] }).cases;

describe('DBSCAN against scikit-learn', () => {
  for (const testCase of cases) for (const engine of ENGINES) {
    it(`${testCase.name} (${engine}): identical core points, noise and labels (borders included)`, async () => {
      const { data, n, d } = toMatrix(testCase.data);
      const result = await dbscan(data, n, d, testCase.eps, testCase.min_samples, engine);
      expect(Array.from(result.core, Boolean)).toEqual(testCase.core);
      expect(Array.from(result.labels)).toEqual(testCase.labels);
      expect(result.clusters).toBe(Math.max(...testCase.labels) + 1);
    });
  }

  it('agrees with density-clustering (the reference package) on a small input', async () => {
    // Default engine: the native kernel when built (it is in npm test), else TypeScript.
    const testCase = cases[0];
    const { data, n, d } = toMatrix(testCase.data);
    // density-clustering counts neighbours strictly closer than eps; scikit-learn (and we) include
    // points at exactly eps. This grid-like data has such pairs, so compare just inside eps.
    const ours = await dbscan(data, n, d, testCase.eps * (1 - 1e-12), testCase.min_samples);
    const reference = new clustering.DBSCAN();
    const referenceClusters: number[][] = reference.run(testCase.data, testCase.eps, testCase.min_samples);
    const referenceLabel = new Map<number, number>();
    referenceClusters.forEach((members, c) => members.forEach((i) => referenceLabel.set(i, c)));
    // density-clustering keeps a border point in `noise` when it was visited before its cluster
    // reached it; real noise is what no cluster took.
    const referenceNoise = new Set<number>((reference.noise as number[]).filter((i) => !referenceLabel.has(i)));
    expect(new Set(Array.from(ours.labels).flatMap((label, i) => (label === -1 ? [i] : [])))).toEqual(referenceNoise);
    // Same partition of the core points, up to renumbering.
    const mapping = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      if (!ours.core[i]) continue;
      const theirs = referenceLabel.get(i)!;
      if (!mapping.has(ours.labels[i])) mapping.set(ours.labels[i], theirs);
      expect(mapping.get(ours.labels[i])).toBe(theirs);
    }
    expect(new Set(mapping.values()).size).toBe(mapping.size);
  });

  it('eps from k-distances: the native kernel gives the TypeScript value exactly, and a higher quantile a larger eps', async () => {
    const testCase = cases[2];
    const { data, n, d } = toMatrix(testCase.data);
    const eps = (quantile: number, engine: 'native' | 'js') => epsFromKDistance(data, n, d, 8, quantile, 5, 400, engine);
    for (const quantile of [0.1, 0.5, 0.9]) expect(await eps(quantile, 'native')).toBe(await eps(quantile, 'js'));
    expect(await eps(0.9, 'native')).toBeGreaterThan(await eps(0.5, 'native'));
  });

  it('runs the native kernel off the event loop: timers keep firing while it works', async () => {
    let seed = 3;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const n = 40_000;
    const d = 8;
    const data = Float32Array.from({ length: n * d }, () => random() * 10);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const started = performance.now();
    await dbscan(data, n, d, 1.5, 10, 'native');
    const elapsed = performance.now() - started;
    clearInterval(timer);
    // A synchronous kernel would hold the loop for the whole call: no tick at all.
    expect(elapsed).toBeGreaterThan(20);
    expect(ticks).toBeGreaterThan(0);
  });
});

