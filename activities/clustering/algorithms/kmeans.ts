import { kmeansRefit } from '../../evaluation/stability';
import { kmeans } from '../kmeans';
import { kGrid, type SweepAlgorithm } from './algorithm';

export type KMeansParams = { algorithm: 'kmeans'; k: number };

/** Lloyd's k-means with k-means++ seeding, kmeansInit restarts (best inertia wins). */
export const kmeansAlgorithm: SweepAlgorithm<KMeansParams> = {
  name: 'kmeans',
  grid: (config, users) => kGrid('kmeans', config, users),
  async fit(matrix, { k }, { config, seed }) {
    const result = await kmeans(matrix.data, matrix.n, matrix.d, { k, seed, nInit: config.kmeansInit, maxIterations: config.kmeansMaxIterations });
    return { labels: result.labels, inertia: result.inertia, iterations: result.iterations, details: {} };
  },
  refit: ({ k }, { config }) => ({ seeded: true, fit: kmeansRefit(k, config.kmeansMaxIterations) }),
};
