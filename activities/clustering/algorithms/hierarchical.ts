import type { EvaluationConfig, SweepConfig } from '../../../common/run-config';
import { hierarchical, type Linkage } from '../hierarchical';
import { inertia } from '../../metrics/internal';
import { kGrid, type SweepAlgorithm } from './algorithm';

export type WardParams = { algorithm: 'ward'; k: number };
export type AverageParams = { algorithm: 'average'; k: number };

/**
 * Agglomerative clustering is O(m^2) in memory: hierarchicalSampleSize users are clustered
 * exactly and the rest join the nearest centroid, so k is capped by the sample too.
 */
function hierarchicalAlgorithm<L extends Linkage>(linkage: L): SweepAlgorithm<{ algorithm: L; k: number }> {
  return {
    name: linkage,
    // Ward merges by the least increase in within-segment variance (k-means' criterion); average
    // linkage follows chains of near neighbours into any shape.
    convexSegments: linkage === 'ward',
    grid: (config, users) => kGrid(linkage, config, users, config.hierarchicalSampleSize),
    async fit(matrix, { k }, { config, seed }) {
      const labels = await hierarchical(matrix.data, matrix.n, matrix.d, { k, linkage, sampleSize: config.hierarchicalSampleSize, seed });
      return { labels, inertia: inertia(matrix, labels), iterations: 0, details: { linkage, sampleSize: Math.min(matrix.n, config.hierarchicalSampleSize) } };
    },
    refit: ({ k }, { config }) => ({
      // Only a sampled tree depends on the seed.
      seeded: sampledAtStabilitySize(config),
      fit: async (part, seed) => hierarchical(part.data, part.n, part.d, { k: Math.min(k, part.n), linkage, sampleSize: config.hierarchicalSampleSize, seed }),
    }),
  };
}

function sampledAtStabilitySize(config: SweepConfig & EvaluationConfig): boolean {
  return config.stabilityMaxUsers > config.hierarchicalSampleSize;
}

export const wardAlgorithm = hierarchicalAlgorithm('ward');
export const averageAlgorithm = hierarchicalAlgorithm('average');
