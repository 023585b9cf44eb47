import { z } from 'zod';
import { integer, integerList, numberList, someOf } from './field-types';

export const CLUSTERING_ALGORITHMS = ['kmeans', 'minibatch-kmeans', 'distributed-kmeans', 'ward', 'average', 'dbscan', 'hdbscan', 'spectral'] as const;
export type ClusteringAlgorithm = (typeof CLUSTERING_ALGORITHMS)[number];

export const sweepSection = z.object({
  algorithms: someOf(CLUSTERING_ALGORITHMS).default(['kmeans']).describe(
    'The clustering algorithms of the sweep (docs/EVALUATION.md); each one is run on every encoder.',
  ),
  kMin: integer(2, 1000).default(2).describe('The smallest k of the k-based algorithms (k-means, mini-batch k-means, ward, average, spectral).'),
  kMax: integer(2, 1000).default(20).describe('The largest k (capped at the users, and for ward/average at hierarchicalSampleSize).'),
  kmeansInit: integer(1, 100).default(4).describe('k-means restarts per k (best inertia wins).'),
  kmeansSeedingUsers: integer(0, 100_000_000).default(50_000).describe(
    'k-means above this many users: the kmeansInit restarts run on a seeded sample of this many, and the best of them ' +
      'seeds one Lloyd run on every user (0 = every restart on every user).',
  ),
  kmeansMaxIterations: integer(1, 100_000).default(300).describe('k-means: Lloyd iterations at most (also for the stability refits).'),
  minibatchSize: integer(16, 1_000_000).default(1024).describe('Mini-batch k-means: points per batch (the cost of a step, whatever n is).'),
  hierarchicalSampleSize: integer(10, 30_000).default(10_000).describe(
    'Hierarchical (ward, average): this many users are clustered exactly (O(m^2) memory), the rest join the nearest centroid.',
  ),
  dbscanEpsQuantiles: numberList(0, 1, { min: true, max: true }).default([0.5, 0.75, 0.9]).describe(
    "DBSCAN eps candidates: these quantiles of the users' distance to their min_samples-th nearest neighbour.",
  ),
  dbscanMinSamples: integerList(2, 1000).default([10]).describe(
    'DBSCAN min_samples candidates (the point itself included, as scikit-learn counts).',
  ),
  hdbscanMinClusterShares: numberList(0, 0.5, { min: true }).default([0.01, 0.05]).describe(
    'HDBSCAN candidates: the smallest segment, as a share of the users clustered (so it means the same at any scale). ' +
      'Each share is one candidate; no eps to choose.',
  ),
  hdbscanMinSamples: integer(1, 1000).default(10).describe(
    'HDBSCAN core distance neighbours (the point itself included); capped at the minimum cluster size.',
  ),
  hdbscanSampleSize: integer(100, 30_000).default(5000).describe(
    "HDBSCAN is quadratic: this many users are clustered exactly, the rest join their nearest sampled user's cluster " +
      'when within its core distance.',
  ),
  spectralSampleSize: integer(100, 30_000).default(2000).describe(
    'Spectral clustering: its nearest-neighbour graph and eigenvectors are built on this many users (a seeded sample; ' +
      'the neighbour search is quadratic), and k is capped at it; every other user takes the label most common among ' +
      'its spectralNeighbors nearest sampled users.',
  ),
  spectralNeighbors: integer(2, 1000).default(10).describe(
    "Spectral clustering: neighbours per user in the affinity graph, the user itself included (scikit-learn's n_neighbors); " +
      'also the sampled users that vote on the label of each other user.',
  ),
  sweepConcurrency: integer(1, 256).default(4).describe('How many sweep candidates run at once.'),
  pcaComponents: integer(0, 4096).default(0).describe(
    "Optional PCA before clustering and evaluation: keep this many components (0 = off); must be below every chosen encoder's dimensions.",
  ),
}).describe(
  'The clustering sweep: which candidates exist and how each is fitted (read by the workflow, clusterCandidate, distributedKMeans, and scoreCandidate for its refits; docs/EVALUATION.md).',
);

export type SweepConfig = z.output<typeof sweepSection>;
