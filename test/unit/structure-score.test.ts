import { describe, expect, it } from 'vitest';
import { densityWeightFor, describeSelectionRule, selectByStableSilhouette, structureScore, structureWeight } from '../../activities/evaluation/selection';
import type { CandidateMetrics } from '../../common/contracts';
import type { InternalRuleThresholds } from '../../common/internal-rule-thresholds';
import type { ClusteringAlgorithm } from '../../common/run-config';

/** A candidate as the internal rule reads it: silhouettes, stability, sizes, noise share. */
function candidate(algorithm: ClusteringAlgorithm, k: number, silhouette: number, densitySilhouette: number | undefined, options: { stability?: number; noise?: number } = {}): CandidateMetrics {
  const ari = (mean: number) => ({ mean, sd: 0.01, runs: [mean, mean] });
  const stability = options.stability ?? 0.95;
  return {
    candidate: { encoder: 'behavior-stats', algorithm, params: `k=${k}`, k },
    silhouette, silhouetteSampled: false, densitySilhouette, daviesBouldin: 1, calinskiHarabasz: 10, inertia: 5,
    clusterSizes: Array.from({ length: k }, () => 100), clusterSeconds: 0.1,
    shape: { sizes: { min: 100, max: 100, gini: 0 }, meanIntraDistance: 1, meanInterCentroidDistance: 2, noiseFraction: options.noise ?? 0 },
    stability: { seeds: ari(stability), subsamples: ari(stability), points: 400 },
  };
}

const thresholds = (densityWeight: number, noiseScoresZero = true): InternalRuleThresholds => ({
  minStability: 0.8, maxNoiseFraction: 0.1, minSegmentShare: 0.02, densityWeight, noiseScoresZero, tieMargin: 0.01, tieBreak: 'most-stable',
});

describe('the internal rule\'s structure score', () => {
  // A ring and its centre: k-means cuts the ring into convex halves (higher straight-line
  // silhouette); the density-connected partition keeps the ring whole (higher density silhouette).
  const convexCut = candidate('kmeans', 2, 0.55, 0.05);
  const ringKept = candidate('dbscan', 2, 0.3, 0.85);

  it('blends the two silhouettes by the density weight, noise users scoring 0 when asked', () => {
    expect(structureScore(ringKept, 0)).toBe(0.3);
    expect(structureScore(ringKept, 1)).toBe(0.85);
    expect(structureScore(ringKept, 0.25)).toBeCloseTo(0.75 * 0.3 + 0.25 * 0.85, 12);
    const noisy = candidate('dbscan', 2, 0.3, 0.85, { noise: 0.2 });
    expect(structureScore(noisy, 0.5, true)).toBeCloseTo(0.8 * (0.5 * 0.3 + 0.5 * 0.85), 12);
    expect(structureScore(noisy, 0.5, false)).toBeCloseTo(0.5 * 0.3 + 0.5 * 0.85, 12);
  });

  it('weight 0 is the silhouette rule; a density weight lets the ring-preserving candidate win, and the reason shows how its score was made', () => {
    expect(selectByStableSilhouette([convexCut, ringKept], thresholds(0)).chosen).toBe(convexCut);
    const blended = selectByStableSilhouette([convexCut, ringKept], thresholds(0.5));
    expect(blended.chosen).toBe(ringKept);
    expect(blended.reason).toMatch(/^highest structure score of 2 candidates: 0\.5750 = \(0\.5 x silhouette 0\.3000 \+ 0\.5 x density silhouette 0\.8500\)/);
  });

  it('still passes over unstable candidates first, however high their density silhouette', () => {
    const unstable = candidate('hdbscan', 3, 0.4, 0.95, { stability: 0.5 });
    expect(selectByStableSilhouette([convexCut, ringKept, unstable], thresholds(0.5)).chosen).toBe(ringKept);
  });

  it('prefers the candidate that segments its users over one that calls the hard ones noise, below the noise cap too', () => {
    // Blends 0.61 and 0.65: the second leaves 10% of its users as noise (the cap), so scores 0.585.
    const everyone = candidate('hdbscan', 3, 0.58, 0.64);
    const hardOnesAsNoise = candidate('dbscan', 3, 0.6, 0.7, { noise: 0.1 });
    expect(selectByStableSilhouette([hardOnesAsNoise, everyone], thresholds(0.5)).chosen).toBe(everyone);
    expect(selectByStableSilhouette([hardOnesAsNoise, everyone], thresholds(0.5, false)).chosen).toBe(hardOnesAsNoise);
    expect(selectByStableSilhouette([hardOnesAsNoise, candidate('hdbscan', 3, 0.58, 0.64, { noise: 0.08 })], thresholds(0.5)).chosen).toBe(hardOnesAsNoise);
    expect(selectByStableSilhouette([candidate('dbscan', 3, 0.6, 0.7, { noise: 0.05 })], thresholds(0.5)).reason)
      .toMatch(/0\.6175 = \(0\.5 x silhouette 0\.6000 \+ 0\.5 x density silhouette 0\.7000\) x 95\.0% of users not noise/);
  });

  it('ranks everyone by the silhouette when some candidate has no density silhouette (scored before it existed, or one segment in its sample): never two scales at once', () => {
    const legacy = candidate('kmeans', 3, 0.5, undefined);
    expect(structureWeight([legacy, ringKept], thresholds(0.5))).toBe(0);
    expect(structureWeight([candidate('kmeans', 3, 0.5, NaN), ringKept], thresholds(0.5))).toBe(0);
    expect(structureWeight([convexCut, ringKept], thresholds(0.5))).toBe(0.5);
    const choice = selectByStableSilhouette([legacy, ringKept], thresholds(0.5));
    expect(choice.chosen).toBe(legacy);
    expect(choice.reason).toMatch(/^highest silhouette \(0\.5000\) of 2 candidates/);
  });
});

describe('the density weight by sweep', () => {
  it('is 0 when every candidate is a convex partition (k-means, mini-batch, distributed k-means, ward), the tuned weight otherwise', () => {
    const twoBlobs = candidate('kmeans', 2, 0.5, 0.1);
    const fourBlobs = candidate('kmeans', 4, 0.45, 0.9);
    expect(selectByStableSilhouette([twoBlobs, fourBlobs], thresholds(0.5)).chosen).toBe(twoBlobs);
    expect(selectByStableSilhouette([twoBlobs, fourBlobs], thresholds(0.5)).reason).toMatch(/^highest silhouette \(0\.5000\) of 2 candidates/);
    expect(densityWeightFor(['kmeans', 'minibatch-kmeans', 'distributed-kmeans', 'ward'], thresholds(0.5))).toBe(0);
    for (const shaped of ['average', 'dbscan', 'hdbscan', 'spectral'] as const) expect(densityWeightFor(['kmeans', shaped], thresholds(0.5)), shaped).toBe(0.5);
    // With a density-based candidate in the sweep, the same two k-means candidates are ranked by the blend.
    expect(selectByStableSilhouette([twoBlobs, fourBlobs, candidate('dbscan', 3, 0.2, 0.3)], thresholds(0.5)).chosen).toBe(fourBlobs);
  });

  it('the rule\'s description names the score the candidates were actually ranked by', () => {
    const kmeansOnly = [candidate('kmeans', 2, 0.5, 0.1), candidate('kmeans', 3, 0.4, 0.2)];
    expect(describeSelectionRule('stable-silhouette', 0.85, kmeansOnly)).toMatch(/^the highest silhouette \(the density silhouette is left out: every candidate is a convex partition, or some has none\), noise users counting as 0/);
    expect(describeSelectionRule('stable-silhouette', 0.85, [...kmeansOnly, candidate('dbscan', 3, 0.2, 0.3)])).toMatch(/^the highest structure score \(0\.25 x silhouette \+ 0\.75 x density silhouette\), noise users counting as 0/);
    expect(describeSelectionRule('stable-lift', 0.85, kmeansOnly)).toContain('the internal rule: the highest silhouette (the density silhouette is left out');
  });
});
