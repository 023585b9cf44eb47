import { cannotCluster } from '../../common/errors';
import { jsBackend } from './distance-backend';
import { distanceBackend, kmeansPlusPlus, type KMeansBackend } from './kmeans';
import { sampleIndices, seededRandom } from './random';
import { yieldToEventLoop } from '../../lib/runtime/activity-progress';

/**
 * Mini-batch k-means (Sculley 2010, as scikit-learn's MiniBatchKMeans does it): k-means++ on a
 * seeded sample of `initSize` points, then steps on random batches where each centre moves toward
 * its batch members with a per-centre learning rate 1 / (points it has absorbed so far), and a
 * final pass that labels every point by its nearest centre. Cost per step is batch x k x d
 * whatever n is, so it clusters 10^6-10^7 users where Lloyd's full passes are too slow; the price
 * is a slightly higher inertia (checked against full k-means and scikit-learn in
 * test/unit/minibatch-kmeans.test.ts). Deterministic for a seed.
 */
export interface MiniBatchKMeansOptions {
  k: number;
  seed: number;
  batchSize?: number;
  /** Passes over n points' worth of batches. */
  epochs?: number;
  /** Points k-means++ seeds from (default 3 x batchSize, at least 3k, as scikit-learn). */
  initSize?: number;
  /** k-means++ seedings tried (each on its own sample); the one with the lowest inertia on its sample is kept. */
  nInit?: number;
  /** Stop after this many batches without improving the smoothed batch inertia (scikit-learn's max_no_improvement). */
  maxNoImprovement?: number;
  /** Backend of the final full assignment (see KMeansOptions.backend). */
  backend?: KMeansBackend;
}

export interface MiniBatchKMeansResult {
  labels: Int32Array;
  centers: Float64Array;
  inertia: number;
  steps: number;
}

export async function miniBatchKMeans(data: Float32Array, n: number, d: number, options: MiniBatchKMeansOptions): Promise<MiniBatchKMeansResult> {
  const { k } = options;
  if (k < 1) throw new Error(`mini-batch k-means: k=${k} must be at least 1`);
  if (k > n) throw cannotCluster(n, k);
  const batchSize = Math.min(options.batchSize ?? 1024, n);
  const random = seededRandom(options.seed);
  const initSize = Math.min(n, Math.max(options.initSize ?? 3 * batchSize, 3 * k));
  let centers: Float64Array = new Float64Array(0);
  let bestSeedingInertia = Infinity;
  for (let run = 0; run < (options.nInit ?? 3); run++) {
    const initRows = sampleIndices(n, initSize, random);
    const initData = new Float32Array(initSize * d);
    initRows.forEach((row, i) => initData.set(data.subarray(row * d, (row + 1) * d), i * d));
    const initBackend = jsBackend(initData, initSize, d);
    const seeded = await kmeansPlusPlus(initData, initSize, d, k, random, initBackend);
    const { distances } = await initBackend.nearest(seeded, k);
    await initBackend.dispose();
    const seedingInertia = distances.reduce((sum, value) => sum + value, 0);
    if (seedingInertia < bestSeedingInertia) {
      bestSeedingInertia = seedingInertia;
      centers = seeded;
    }
  }

  const absorbed = new Float64Array(k);
  const steps = Math.max(1, Math.ceil(((options.epochs ?? 10) * n) / batchSize));
  const maxNoImprovement = options.maxNoImprovement ?? 10;
  const batchLabels = new Int32Array(batchSize);
  let smoothed = Infinity;
  let best = Infinity;
  let sinceImprovement = 0;
  let step = 0;
  for (; step < steps; step++) {
    // A step is synchronous TypeScript: let the heartbeat through now and then.
    if (step % 64 === 0) await yieldToEventLoop();
    const batch = sampleIndices(n, batchSize, random);
    let batchInertia = 0;
    for (let b = 0; b < batchSize; b++) {
      const offset = batch[b] * d;
      let nearest = 0;
      let nearestDistance = Infinity;
      for (let c = 0; c < k; c++) {
        let distance = 0;
        for (let j = 0; j < d; j++) {
          const diff = data[offset + j] - centers[c * d + j];
          distance += diff * diff;
        }
        if (distance < nearestDistance) {
          nearestDistance = distance;
          nearest = c;
        }
      }
      batchLabels[b] = nearest;
      batchInertia += nearestDistance;
    }
    // Each centre moves to the running mean of every point it has absorbed.
    for (let b = 0; b < batchSize; b++) {
      const c = batchLabels[b];
      absorbed[c]++;
      const rate = 1 / absorbed[c];
      const offset = batch[b] * d;
      for (let j = 0; j < d; j++) centers[c * d + j] += rate * (data[offset + j] - centers[c * d + j]);
    }
    // Early stop as scikit-learn: an exponentially weighted batch inertia that stops improving.
    const alpha = Math.min(1, (batchSize * 2) / (n + 1));
    smoothed = smoothed === Infinity ? batchInertia / batchSize : smoothed * (1 - alpha) + (batchInertia / batchSize) * alpha;
    if (smoothed < best) {
      best = smoothed;
      sinceImprovement = 0;
    } else if (++sinceImprovement >= maxNoImprovement) {
      step++;
      break;
    }
  }

  const backend = await distanceBackend(data, n, d, options.backend);
  try {
    const { labels, distances } = await backend.nearest(centers, k);
    let inertia = 0;
    for (const distance of distances) inertia += distance;
    return { labels, centers, inertia, steps: step };
  } finally {
    await backend.dispose();
  }
}
