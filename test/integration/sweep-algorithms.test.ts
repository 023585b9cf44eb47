import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CandidateMetrics } from '../../common/contracts';
import { candidateKey } from '../../common/candidates';
import { runFiles } from '../../common/run-layout';
import type { RunConfig } from '../../common/run-config';
import { dropRefFor } from '../../lib/runtime/drop-id';
import { startDrop } from '../../lib/client/pipeline-client';
import { copyOfSample, withWorkers } from '../helpers/pipeline-harness';

describe('the sweep fans out over k-means (in-process, mini-batch, distributed), hierarchical, DBSCAN, HDBSCAN and spectral candidates', () => {
  it('clusters, scores and ranks every (algorithm, parameter) of the run config', async () => {
    await withWorkers({ label: 'sweep-algorithms' }, async ({ client, taskQueues, dataDir }) => {
      const config: Partial<RunConfig> = {
        encoders: ['behavior-stats'], algorithms: ['kmeans', 'minibatch-kmeans', 'distributed-kmeans', 'ward', 'average', 'dbscan', 'hdbscan', 'spectral'], kMin: 2, kMax: 4,
        dbscanEpsQuantiles: [0.5, 0.9], dbscanMinSamples: [8], shardCount: 2, seed: 'sweep-algorithms',
        // Every candidate scored fully (no successive halving): this test checks each algorithm's full scores.
        fullyScoredShare: 1,
        // A sample smaller than the users, so the out-of-sample assignment runs too.
        hdbscanMinClusterShares: [0.02, 0.1], hdbscanSampleSize: 300, spectralSampleSize: 300,
      };
      const run = await startDrop(client, dropRefFor(copyOfSample(dataDir)), { dataDir, config, taskQueues });
      const output = await run.handle.result();
      const leaderboard = JSON.parse(fs.readFileSync(output.leaderboardPath, 'utf8')) as { rows: CandidateMetrics[] };
      expect(leaderboard.rows.map((row) => `${row.candidate.algorithm}:${row.candidate.params}`)).toEqual([
        'kmeans:k=2', 'kmeans:k=3', 'kmeans:k=4', 'minibatch-kmeans:k=2', 'minibatch-kmeans:k=3', 'minibatch-kmeans:k=4',
        'distributed-kmeans:k=2', 'distributed-kmeans:k=3', 'distributed-kmeans:k=4', 'ward:k=2', 'ward:k=3', 'ward:k=4', 'average:k=2', 'average:k=3', 'average:k=4',
        'dbscan:q=0.5,min_samples=8', 'dbscan:q=0.9,min_samples=8', 'hdbscan:min_cluster_share=0.02', 'hdbscan:min_cluster_share=0.1',
        'spectral:k=2', 'spectral:k=3', 'spectral:k=4',
      ]);
      for (const row of leaderboard.rows) {
        expect(row.shape!.noiseFraction).toBeGreaterThanOrEqual(0);
        if (row.candidate.algorithm === 'dbscan') {
          expect(row.stability!.seeds.runs).toHaveLength(0); // deterministic: only subsample refits
          expect(row.stability!.subsamples.runs).toHaveLength(3);
        } else if (row.candidate.algorithm === 'hdbscan') {
          expect(row.stability!.subsamples.runs).toHaveLength(3);
          // A large minimum size can leave no split worth a cluster: all noise, an honest "no density structure".
          if (row.clusterSizes.length === 0) expect(row.shape!.noiseFraction).toBe(1);
          else expect(row.shape!.noiseFraction).toBeLessThan(1);
        } else {
          expect(row.clusterSizes).toHaveLength(row.candidate.k);
          expect(row.shape!.noiseFraction).toBe(0);
        }
      }
      // Distributed k-means (a child workflow iterating over the 2 shards) lands about where in-process k-means
      // does; its seedings run on a 10k-user sample, not on all users, so it may end in another local optimum.
      for (const k of [2, 3, 4]) {
        const inertia = (algorithm: string) => leaderboard.rows.find((row) => row.candidate.algorithm === algorithm && row.candidate.k === k)!.inertia;
        expect(inertia('distributed-kmeans') / inertia('kmeans')).toBeLessThan(1.1);
      }
      // eps comes from the data: a larger k-distance quantile gives a larger eps and less noise.
      const [low, high] = leaderboard.rows.filter((row) => row.candidate.algorithm === 'dbscan');
      const eps = (row: CandidateMetrics) => JSON.parse(fs.readFileSync(runFiles.centroidsFile(output.runDir, candidateKey(row.candidate)), 'utf8')).eps as number;
      expect(eps(high)).toBeGreaterThan(eps(low));
      expect(high.shape!.noiseFraction).toBeLessThanOrEqual(low.shape!.noiseFraction);
      // HDBSCAN: the minimum cluster size follows the share of the 300 sampled users; every user gets a label.
      const hdbscanDetails = (share: number) => JSON.parse(fs.readFileSync(path.join(output.runDir, 'clusters', candidateKey({ encoder: 'behavior-stats', params: { algorithm: 'hdbscan', min_cluster_share: share } }), 'centroids.json'), 'utf8'));
      expect(hdbscanDetails(0.02)).toMatchObject({ minClusterSize: 6, minSamples: 6, sampled: 300 });
      expect(hdbscanDetails(0.1)).toMatchObject({ minClusterSize: 30, minSamples: 10, sampled: 300 });
      // Spectral: its graph holds the 300 sampled users, and every other user got a label (k clusters, checked above).
      const spectralDetails = JSON.parse(fs.readFileSync(path.join(output.runDir, 'clusters', candidateKey({ encoder: 'behavior-stats', params: { algorithm: 'spectral', k: 3 } }), 'centroids.json'), 'utf8'));
      expect(spectralDetails).toMatchObject({ sampleSize: 300, neighbors: 10 });
      expect(spectralDetails.eigenvalues).toHaveLength(3);
      const small = leaderboard.rows.find((row) => row.candidate.params === 'min_cluster_share=0.02')!;
      expect(small.clusterSizes.length).toBeGreaterThanOrEqual(2);
      expect(small.shape!.noiseFraction).toBeLessThan(0.5);
      const allNoise = leaderboard.rows.filter((row) => row.clusterSizes.length === 0);
      expect(allNoise.every((row) => row.candidate.params !== output.chosen.params || row.candidate.algorithm !== output.chosen.algorithm)).toBe(true);
      expect(leaderboard.rows.some((row) => row.candidate.params === output.chosen.params && row.candidate.algorithm === output.chosen.algorithm)).toBe(true);
    });
  });
});
