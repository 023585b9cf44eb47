import { kmeansRefit } from '../../evaluation/stability';
import { internalInvariantError } from '../../../common/errors';
import { kGrid, type SweepAlgorithm } from './algorithm';

export type DistributedKMeansParams = { algorithm: 'distributed-kmeans'; k: number };

/**
 * k-means across shards without moving embeddings: its fit is the distributedKMeans child
 * workflow (workflows/distributed-kmeans.ts), which segmentDataDrop starts for these candidates.
 * Stability refits it as plain k-means on the sampled points.
 */
export const distributedKMeansAlgorithm: SweepAlgorithm<DistributedKMeansParams> = {
  name: 'distributed-kmeans',
  convexSegments: true,
  grid: (config, users) => kGrid('distributed-kmeans', config, users),
  fit() {
    throw internalInvariantError('distributed-kmeans candidates run as the distributedKMeans child workflow, not in clusterCandidate');
  },
  refit: ({ k }, { config }) => ({ seeded: true, fit: kmeansRefit(k, config.kmeansMaxIterations) }),
};
