import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { densityDistances, densitySilhouette, DensitySilhouetteInputError, sharedDensityDistances } from '../../activities/metrics/density-silhouette';
import { projectPath } from '../../lib/paths';
import { toMatrix } from '../helpers/sklearn-fixtures';

// scripts/python/make_density_silhouette_fixtures.py: scipy's single-linkage cophenetic distances
// of the mutual reachability matrix, scikit-learn's silhouette on them.
const fixture = JSON.parse(fs.readFileSync(projectPath('test', 'fixtures', 'scipy', 'density-silhouette.json'), 'utf8')) as {
  neighbours: number;
  cases: Array<{ name: string; data: number[][]; labelings: Array<{ label: string; labels: number[]; value: number }> }>;
};

describe('density silhouette against scipy + scikit-learn', async () => {
  for (const testCase of fixture.cases) {
    it(`${testCase.name}: every labelling's value, and the reference partition scores highest`, async () => {
      const matrix = toMatrix(testCase.data);
      const space = await densityDistances(matrix, { sampleSize: matrix.n, seed: 1, neighbours: fixture.neighbours });
      expect(space.rows.length).toBe(matrix.n);
      for (const labelling of testCase.labelings) {
        expect(densitySilhouette(space, Int32Array.from(labelling.labels)), labelling.label).toBeCloseTo(labelling.value, 5);
      }
      // The point of the measure: these sets' reference shapes (non-convex, with outliers) beat k-means cuts.
      const [truth, ...kmeans] = testCase.labelings;
      for (const other of kmeans) expect(truth.value).toBeGreaterThan(other.value);
    });
  }
});

describe('density silhouette sampling and edges', async () => {
  const matrix = toMatrix(fixture.cases[0].data);
  const labels = Int32Array.from(fixture.cases[0].labelings[0].labels);

  it('above sampleSize scores a seeded sample: the same rows for the same seed, other rows for another', async () => {
    const a = await densityDistances(matrix, { sampleSize: 100, seed: 3 });
    const b = await densityDistances(matrix, { sampleSize: 100, seed: 3 });
    const c = await densityDistances(matrix, { sampleSize: 100, seed: 4 });
    expect(a.rows.length).toBe(100);
    expect(Array.from(a.rows)).toEqual(Array.from(b.rows));
    expect(Array.from(a.rows)).not.toEqual(Array.from(c.rows));
    expect(Array.from(a.rows)).toEqual([...a.rows].sort((x, y) => x - y));
    // The sample's own walk: the value is the full formula on those rows' sub-matrix.
    const sub = toMatrix(Array.from(a.rows, (row) => fixture.cases[0].data[row]));
    const onSub = densitySilhouette(await densityDistances(sub, { sampleSize: 100, seed: 9 }), Int32Array.from(a.rows, (row) => labels[row]));
    expect(densitySilhouette(a, labels)).toBeCloseTo(onSub, 10);
  });

  it('is shared per matrix object and sample, and recomputed for another', async () => {
    const first = sharedDensityDistances(matrix, { sampleSize: 200, seed: 1 });
    expect(sharedDensityDistances(matrix, { sampleSize: 200, seed: 1 })).toBe(first);
    expect(sharedDensityDistances(matrix, { sampleSize: 200, seed: 2 })).not.toBe(first);
    expect(sharedDensityDistances(toMatrix(fixture.cases[0].data), { sampleSize: 200, seed: 1 })).not.toBe(first);
  });

  it('NaN with one segment in the sample, 0 for singletons, and clear errors: too few users, labels of another matrix, NaN coordinates', async () => {
    const space = await densityDistances(matrix, { sampleSize: matrix.n, seed: 1 });
    expect(densitySilhouette(space, new Int32Array(matrix.n))).toBeNaN();
    const withNoise = new Int32Array(matrix.n).fill(-1);
    withNoise[0] = 0;
    withNoise[1] = 1;
    expect(densitySilhouette(space, withNoise)).toBe(0);
    await expect(densityDistances(toMatrix(fixture.cases[0].data.slice(0, 5)), { sampleSize: 10, seed: 1 })).rejects.toThrow(DensitySilhouetteInputError);
    expect(() => densitySilhouette(space, new Int32Array(10))).toThrow(/10 labels for 373 rows/);
    const broken = toMatrix(fixture.cases[0].data);
    broken.data[7 * broken.d] = NaN;
    await expect(densityDistances(broken, { sampleSize: broken.n, seed: 1 })).rejects.toThrow(/row 7 has a non-finite coordinate \(column 0\)/);
  });
});
