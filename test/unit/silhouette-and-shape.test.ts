import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../activities/clustering/random';
import { clusterShape, clusterSizeDistribution, meanInterCentroidDistance, meanIntraClusterDistance, noiseFraction } from '../../activities/metrics/cluster-shape';
import { calinskiHarabasz, daviesBouldin, inertia, silhouette, silhouetteScore, type Matrix } from '../../activities/metrics/internal';
import { clusterDistanceSums, clusterDistanceSumsFor, releasePairDistanceSessions } from '../../activities/metrics/pair-distance-sums';
import { estimateSilhouette, estimateSilhouetteOnReference, exactSilhouette, silhouettePopulation, silhouetteSamples, SilhouetteInputError } from '../../activities/metrics/silhouette';
import { projectPath } from '../../lib/paths';
import { relativeError } from '../helpers/sklearn-fixtures';
import { labelledBenchmark } from '../helpers/clustering-benchmarks';

/** Cases written by scripts/python/make_internal_metrics_fixtures.py (references computed after dropping noise). */
interface ExtraCase {
  name: string;
  data: number[][];
  labels: number[];
  silhouette: { euclidean: number; cosine: number };
  silhouette_samples_euclidean?: (number | null)[];
  davies_bouldin: number;
  calinski_harabasz: number;
  inertia: number;
  mean_intra_distance: { euclidean: number; cosine: number };
  mean_inter_centroid_distance: { euclidean: number; cosine: number };
  sizes: { min: number; max: number; gini: number };
  noise_fraction: number;
}

const cases = (JSON.parse(fs.readFileSync(projectPath('test', 'fixtures', 'sklearn', 'internal-metrics-extra.json'), 'utf8')) as { cases: ExtraCase[] }).cases;

function toMatrix(rows: number[][]): Matrix {
  const d = rows[0].length;
  return { data: Float32Array.from(rows.flat()), n: rows.length, d };
}

/** n x d Gaussian blobs (k overlapping clusters, labelled by the generating cluster). */
function blobs(n: number, d: number, k: number, seed: number): { matrix: Matrix; labels: Int32Array } {
  const random = seededRandom(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const centers = Float64Array.from({ length: k * d }, () => 4 * random() - 2);
  const data = new Float32Array(n * d);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = Math.floor(random() * k);
    for (let j = 0; j < d; j++) data[i * d + j] = centers[labels[i] * d + j] + gaussian();
  }
  return { matrix: { data, n, d }, labels };
}

afterAll(() => releasePairDistanceSessions());

describe('exact silhouette and internal metrics against scikit-learn (noise dropped first)', () => {
  for (const testCase of cases) {
    const matrix = toMatrix(testCase.data);
    const labels = Int32Array.from(testCase.labels);

    it(`${testCase.name}: exact silhouette, euclidean and cosine, to 1e-6`, async () => {
      expect(relativeError(await exactSilhouette(matrix, labels), testCase.silhouette.euclidean)).toBeLessThan(1e-6);
      expect(relativeError(await exactSilhouette(matrix, labels, { metric: 'cosine' }), testCase.silhouette.cosine)).toBeLessThan(1e-6);
      // The plain loop in internal.ts agrees, noise included.
      expect(relativeError(silhouette(matrix, labels), testCase.silhouette.euclidean)).toBeLessThan(1e-6);
    });

    it(`${testCase.name}: Davies-Bouldin, Calinski-Harabasz, inertia to 1e-6`, () => {
      expect(relativeError(daviesBouldin(matrix, labels), testCase.davies_bouldin)).toBeLessThan(1e-6);
      expect(relativeError(calinskiHarabasz(matrix, labels), testCase.calinski_harabasz)).toBeLessThan(1e-6);
      expect(relativeError(inertia(matrix, labels), testCase.inertia)).toBeLessThan(1e-6);
    });

    it(`${testCase.name}: cluster shape (intra/inter distance both metrics, sizes, noise) to 1e-6`, () => {
      for (const metric of ['euclidean', 'cosine'] as const) {
        expect(relativeError(meanIntraClusterDistance(matrix, labels, metric), testCase.mean_intra_distance[metric])).toBeLessThan(1e-6);
        expect(relativeError(meanInterCentroidDistance(matrix, labels, metric), testCase.mean_inter_centroid_distance[metric])).toBeLessThan(1e-6);
      }
      const shape = clusterShape(matrix, labels);
      expect(shape.sizes.min).toBe(testCase.sizes.min);
      expect(shape.sizes.max).toBe(testCase.sizes.max);
      expect(shape.sizes.gini).toBeCloseTo(testCase.sizes.gini, 12);
      expect(shape.noiseFraction).toBeCloseTo(testCase.noise_fraction, 12);
    });
  }

  it('per-point values match silhouette_samples: singletons score exactly 0, noise is NaN', async () => {
    for (const testCase of cases.filter((c) => c.silhouette_samples_euclidean)) {
      const labels = Int32Array.from(testCase.labels);
      const values = await silhouetteSamples(toMatrix(testCase.data), labels);
      const counts = new Map<number, number>();
      for (const label of labels) counts.set(label, (counts.get(label) ?? 0) + 1);
      testCase.silhouette_samples_euclidean!.forEach((expected, i) => {
        if (expected === null) expect(values[i]).toBeNaN();
        else expect(Math.abs(values[i] - expected)).toBeLessThan(1e-9);
        if (counts.get(labels[i]) === 1) expect(values[i]).toBe(0);
      });
    }
    const singletons = cases.find((c) => c.name.includes('singletons'))!;
    expect(singletons.sizes.min).toBe(1);
  });

  it('float32 kernel stays within 1e-5 of scikit-learn, even on raw coordinates around 5e5', async () => {
    for (const testCase of cases) {
      const matrix = toMatrix(testCase.data);
      const labels = Int32Array.from(testCase.labels);
      expect(relativeError(await exactSilhouette(matrix, labels, { precision: 'f32' }), testCase.silhouette.euclidean)).toBeLessThan(1e-5);
      expect(relativeError(await exactSilhouette(matrix, labels, { metric: 'cosine', precision: 'f32' }), testCase.silhouette.cosine)).toBeLessThan(1e-5);
    }
  });

  it('the block loops give the same sums whatever the block sizes (many blocks per side, ragged ends)', async () => {
    const { matrix, labels } = blobs(700, 5, 4, 3);
    const population = silhouettePopulation(matrix, labels);
    const options = { metric: 'euclidean', precision: 'f64' } as const;
    const oneBlock = await clusterDistanceSums(population, options);
    const manyBlocks = await clusterDistanceSums(population, { ...options, blockRows: 96 });
    const positions = Int32Array.from({ length: 250 }, (_, i) => (i * 37) % 700);
    const scored = await clusterDistanceSumsFor(population, positions, { ...options, blockRows: 64, blockEntries: 64 * 90 });
    const { k } = population;
    for (let p = 0; p < 700; p++) {
      for (let c = 0; c < k; c++) expect(Math.abs(manyBlocks[p * k + c] - oneBlock[p * k + c])).toBeLessThan(1e-9 * Math.max(1, oneBlock[p * k + c]));
    }
    positions.forEach((p, r) => {
      for (let c = 0; c < k; c++) expect(Math.abs(scored[r * k + c] - oneBlock[p * k + c])).toBeLessThan(1e-9 * Math.max(1, oneBlock[p * k + c]));
    });
    expect(relativeError(await exactSilhouette(matrix, labels), silhouette(matrix, labels))).toBeLessThan(1e-9);
  });

  it('rejects fewer than 2 clusters or as many clusters as points (noise left out), like scikit-learn', async () => {
    const matrix = toMatrix([[0, 0], [1, 1], [2, 2], [3, 3]]);
    await expect(exactSilhouette(matrix, Int32Array.from([0, 0, 0, -1]))).rejects.toThrow(SilhouetteInputError);
    await expect(exactSilhouette(matrix, Int32Array.from([0, 1, -1, -1]))).rejects.toThrow(SilhouetteInputError);
    await expect(estimateSilhouette(matrix, Int32Array.from([-1, -1, -1, -1]), { sampleSize: 2, seed: 1 })).rejects.toThrow(SilhouetteInputError);
    await expect(estimateSilhouette(matrix, Int32Array.from([0, 0, 1, 1]), { sampleSize: 1, seed: 1 })).rejects.toThrow(SilhouetteInputError);
    expect(await exactSilhouette(matrix, Int32Array.from([0, 0, 1, 1]))).toBeGreaterThan(0);
  });
});

describe('sampled silhouette with a confidence interval', () => {
  it('is exact, with a zero-width interval, when the (non-noise) population fits in the sample', async () => {
    const testCase = cases.find((c) => c.noise_fraction > 0)!;
    const matrix = toMatrix(testCase.data);
    const labels = Int32Array.from(testCase.labels);
    const estimate = await estimateSilhouette(matrix, labels, { sampleSize: 5000, seed: 1 });
    const points = labels.filter((label) => label >= 0).length;
    expect(estimate).toEqual({ value: estimate.value, sampled: false, sampleSize: points, ciLow: estimate.value, ciHigh: estimate.value });
    expect(relativeError(estimate.value, testCase.silhouette.euclidean)).toBeLessThan(1e-6);
    const cosine = await estimateSilhouette(matrix, labels, { sampleSize: points, seed: 1, metric: 'cosine' });
    expect(cosine.sampled).toBe(false);
    expect(relativeError(cosine.value, testCase.silhouette.cosine)).toBeLessThan(1e-6);
  });

  it('covers the exact value in at least 18 of 20 seeds (95% interval), and is seeded', async () => {
    const { matrix, labels } = blobs(4000, 16, 6, 11);
    for (const metric of ['euclidean', 'cosine'] as const) {
      const exact = await exactSilhouette(matrix, labels, { metric });
      let covered = 0;
      let sumOfEstimates = 0;
      let sumOfStandardErrors = 0;
      for (let seed = 1; seed <= 20; seed++) {
        const estimate = await estimateSilhouette(matrix, labels, { sampleSize: 300, seed, metric });
        expect(estimate.sampled).toBe(true);
        expect(estimate.sampleSize).toBe(300);
        expect(estimate.ciLow).toBeLessThan(estimate.value);
        expect(estimate.ciHigh).toBeGreaterThan(estimate.value);
        if (estimate.ciLow <= exact && exact <= estimate.ciHigh) covered++;
        sumOfEstimates += estimate.value;
        sumOfStandardErrors += (estimate.ciHigh - estimate.ciLow) / 2 / 1.96;
      }
      // (200 seeds give 187/200 euclidean, 193/200 cosine.)
      expect(covered).toBeGreaterThanOrEqual(18);
      // Unbiased: the mean of 20 independent estimates is within 3 of its standard errors of the truth.
      expect(Math.abs(sumOfEstimates / 20 - exact)).toBeLessThan((3 * (sumOfStandardErrors / 20)) / Math.sqrt(20));
    }
    expect(await estimateSilhouette(matrix, labels, { sampleSize: 300, seed: 7 })).toEqual(await estimateSilhouette(matrix, labels, { sampleSize: 300, seed: 7 }));
  });

  it('samples only non-noise points and scores them against all non-noise points', async () => {
    const { matrix, labels } = blobs(1500, 4, 3, 5);
    const noisy = labels.map((label, i) => (i % 7 === 0 ? -1 : label));
    const exact = await exactSilhouette(matrix, noisy);
    const estimate = await estimateSilhouette(matrix, noisy, { sampleSize: 600, seed: 2 });
    expect(estimate.sampled).toBe(true);
    expect(exact).toBeGreaterThanOrEqual(estimate.ciLow - 0.02);
    expect(exact).toBeLessThanOrEqual(estimate.ciHigh + 0.02);
    // The sync loop's sampled value (scikit-learn's sample_size semantics) also skips noise.
    expect(Number.isFinite(silhouetteScore(matrix, noisy, 600, 2).value)).toBe(true);
  });
});

describe('cluster-shape helpers', () => {
  it('Gini of sizes: 0 when equal, (k - 1) / k when one cluster holds all but one point each', () => {
    expect(clusterSizeDistribution(Int32Array.from([0, 0, 1, 1, 2, 2, -1]))).toEqual({ min: 2, max: 2, gini: 0 });
    const skewed = clusterSizeDistribution(Int32Array.from([0, 1, 2, 2, 2, 2, 2, 2, 2, 2]));
    expect(skewed.min).toBe(1);
    expect(skewed.max).toBe(8);
    // sizes [1, 1, 8]: sum |ni - nj| = 4 * 7 = 28, / (2 * 9 * 10/3) = 0.4667
    expect(skewed.gini).toBeCloseTo(28 / 60, 12);
    expect(noiseFraction(Int32Array.from([-1, 0, 0, -1]))).toBe(0.5);
    expect(meanInterCentroidDistance(toMatrix([[0, 0], [1, 1]]), Int32Array.from([0, 0]))).toBeNaN();
  });
});

describe('silhouette against a reference sample (the sweep screens rank candidates with it)', () => {
  it('is estimateSilhouette itself up to referenceUsers users', async () => {
    const { matrix, labels } = blobs(3000, 6, 4, 21);
    const options = { sampleSize: 500, seed: 4 };
    expect(await estimateSilhouetteOnReference(matrix, labels, { ...options, referenceUsers: 3000 })).toEqual(await estimateSilhouette(matrix, labels, options));
  });

  it('lands near the exact value on real labelled data (wut/trajectories, sipu/a2), far cheaper than against everyone', async () => {
    for (const name of ['wut/trajectories', 'sipu/a2']) {
      const { matrix, truth } = labelledBenchmark(name);
      // The suite's noise points (label 0) stay out, as they do from a sweep's silhouette.
      const labels = Int32Array.from(truth, (label) => (label > 0 ? label : -1));
      const exact = await exactSilhouette(matrix, labels);
      const onReference = await estimateSilhouetteOnReference(matrix, labels, { sampleSize: 1000, seed: 9, referenceUsers: 2500 });
      expect(onReference.sampled).toBe(true);
      expect(Math.abs(onReference.value - exact)).toBeLessThan(0.02);
    }
  });

  it('falls back to every user when the reference sample would hold a single cluster', async () => {
    const { matrix } = blobs(1000, 3, 1, 5);
    const labels = new Int32Array(1000);
    labels[17] = 1; // a one-user cluster the 10-user reference sample misses
    const options = { sampleSize: 200, seed: 3 };
    expect(await estimateSilhouetteOnReference(matrix, labels, { ...options, referenceUsers: 10 })).toEqual(await estimateSilhouette(matrix, labels, options));
  });
});
