import { describe, expect, it } from 'vitest';
import { kmeans } from '../../activities/clustering/kmeans';
import { miniBatchKMeans } from '../../activities/clustering/minibatch-kmeans';
import { seededRandom } from '../../activities/clustering/random';
import { adjustedRandIndex } from '../../activities/metrics/external';

/** n points around k centres in [-10, 10]^d with unit noise; returns data and the true centre of each point. */
function blobs(n: number, d: number, k: number, seed: number) {
  const random = seededRandom(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const centres = Float64Array.from({ length: k * d }, () => -10 + 20 * random());
  const data = new Float32Array(n * d);
  const truth = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    truth[i] = Math.floor(random() * k);
    for (let j = 0; j < d; j++) data[i * d + j] = centres[truth[i] * d + j] + gaussian();
  }
  return { data, truth };
}

describe('mini-batch k-means', () => {
  it('recovers well-separated clusters of 60k points with an inertia within 1% of full k-means, in far fewer point visits', async () => {
    const { data, truth } = blobs(60_000, 16, 10, 5);
    const mini = await miniBatchKMeans(data, 60_000, 16, { k: 10, seed: 3, batchSize: 512 });
    const full = await kmeans(data, 60_000, 16, { k: 10, seed: 3, nInit: 1 });
    expect(adjustedRandIndex(truth, mini.labels)).toBeGreaterThan(0.99);
    expect(mini.inertia / full.inertia).toBeLessThan(1.01);
    expect(mini.steps * 512).toBeLessThan(10 * 60_000); // stopped early: fewer than 10 passes' worth of points
  });

  it('is deterministic for a seed and differs across seeds', async () => {
    const { data } = blobs(3000, 4, 6, 9);
    const a = await miniBatchKMeans(data, 3000, 4, { k: 6, seed: 1, batchSize: 128, backend: 'js' });
    const b = await miniBatchKMeans(data, 3000, 4, { k: 6, seed: 1, batchSize: 128, backend: 'js' });
    const c = await miniBatchKMeans(data, 3000, 4, { k: 6, seed: 2, batchSize: 128, backend: 'js' });
    expect(Array.from(a.centers)).toEqual(Array.from(b.centers));
    expect(Array.from(a.centers)).not.toEqual(Array.from(c.centers));
  });

  it('rejects k outside [1, n]', async () => {
    await expect(miniBatchKMeans(new Float32Array(4), 2, 2, { k: 3, seed: 1 })).rejects.toThrow(/cannot cluster 2 users into k=3 segments/);
    await expect(miniBatchKMeans(new Float32Array(4), 2, 2, { k: 0, seed: 1 })).rejects.toThrow(/k=0 must be at least 1/);
  });
});
