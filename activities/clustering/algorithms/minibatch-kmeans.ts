import { miniBatchKMeans } from '../minibatch-kmeans';
import { kGrid, type SweepAlgorithm } from './algorithm';

export type MiniBatchKMeansParams = { algorithm: 'minibatch-kmeans'; k: number };

/** Mini-batch k-means: a step costs minibatchSize points whatever the number of users. */
export const miniBatchKMeansAlgorithm: SweepAlgorithm<MiniBatchKMeansParams> = {
  name: 'minibatch-kmeans',
  convexSegments: true,
  grid: (config, users) => kGrid('minibatch-kmeans', config, users),
  async fit(matrix, { k }, { config, seed }) {
    const result = await miniBatchKMeans(matrix.data, matrix.n, matrix.d, { k, seed, batchSize: config.minibatchSize });
    return { labels: result.labels, inertia: result.inertia, iterations: result.steps, details: { batchSize: config.minibatchSize, steps: result.steps } };
  },
  refit: ({ k }, { config }) => ({
    seeded: true,
    fit: async (part, seed) => (await miniBatchKMeans(part.data, part.n, part.d, { k, seed, batchSize: config.minibatchSize })).labels,
  }),
};
