import type { SweepConfig } from '../../../common/run-config';
import { spectralClustering } from '../spectral';
import { inertia } from '../../metrics/internal';
import { kGrid, type SweepAlgorithm } from './algorithm';

export type SpectralParams = { algorithm: 'spectral'; k: number };

function settings(k: number, config: SweepConfig, seed: number) {
  return {
    k, seed, neighbors: config.spectralNeighbors, sampleSize: config.spectralSampleSize,
    nInit: config.kmeansInit, maxIterations: config.kmeansMaxIterations,
  };
}

/**
 * Spectral clustering (activities/clustering/spectral.ts): the graph is built on spectralSampleSize
 * users, so k is capped by the sample; the rest take their nearest sampled users' majority label.
 */
export const spectralAlgorithm: SweepAlgorithm<SpectralParams> = {
  name: 'spectral',
  convexSegments: false,
  grid: (config, users) => kGrid('spectral', config, users, config.spectralSampleSize),
  async fit(matrix, { k }, { config, seed }) {
    const result = await spectralClustering(matrix.data, matrix.n, matrix.d, settings(k, config, seed));
    return {
      labels: result.labels, inertia: inertia(matrix, result.labels), iterations: 0,
      details: { sampleSize: result.sampled, neighbors: config.spectralNeighbors, graphComponents: result.components, eigenvalues: result.eigenvalues, lanczosSteps: result.lanczosSteps },
    };
  },
  refit: ({ k }, { config }) => ({
    // The seed picks the k-means start on the embedding (and the sample, above spectralSampleSize users).
    // Refits restart k-means as often as the fit does: stability should measure the algorithm as run.
    seeded: true,
    fit: async (part, seed) => (await spectralClustering(part.data, part.n, part.d, settings(Math.min(k, part.n), config, seed))).labels,
  }),
};
