import { kmeansRefit } from '../../evaluation/stability';
import { kmeans } from '../kmeans';
import { matrixRows } from '../../metrics/internal';
import { sampleIndices, seededRandom } from '../random';
import { kGrid, type SweepAlgorithm } from './algorithm';

export type KMeansParams = { algorithm: 'kmeans'; k: number };

/**
 * Lloyd's k-means with k-means++ seeding, kmeansInit restarts (best inertia wins). Above
 * kmeansSeedingUsers users the restarts run on a seeded sample and the best sample centres seed one
 * Lloyd run on every user (Bradley and Fayyad 1998, "Refining initial points for k-means
 * clustering"): the result is still a Lloyd fixed point of all users, but the restarts and the
 * k-means++ passes, most of the cost at 10^6 users, run on the sample.
 */
export const kmeansAlgorithm: SweepAlgorithm<KMeansParams> = {
  name: 'kmeans',
  convexSegments: true,
  grid: (config, users) => kGrid('kmeans', config, users),
  async fit(matrix, { k }, { config, seed }) {
    const restarts = { k, seed, nInit: config.kmeansInit, maxIterations: config.kmeansMaxIterations };
    const seedingUsers = config.kmeansSeedingUsers;
    if (seedingUsers === 0 || matrix.n <= seedingUsers || k > seedingUsers) {
      const result = await kmeans(matrix.data, matrix.n, matrix.d, restarts);
      return { labels: result.labels, inertia: result.inertia, iterations: result.iterations, details: {} };
    }
    const sample = matrixRows(matrix, sampleIndices(matrix.n, seedingUsers, seededRandom(seed)).sort());
    const seeding = await kmeans(sample.data, sample.n, sample.d, restarts);
    const result = await kmeans(matrix.data, matrix.n, matrix.d, { k, seed, initialCenters: seeding.centers, maxIterations: config.kmeansMaxIterations });
    return { labels: result.labels, inertia: result.inertia, iterations: result.iterations, details: { seededOnUsers: seedingUsers, seedingIterations: seeding.iterations } };
  },
  refit: ({ k }, { config }) => ({ seeded: true, fit: kmeansRefit(k, config.kmeansMaxIterations) }),
};
