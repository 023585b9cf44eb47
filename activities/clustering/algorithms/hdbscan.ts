import type { SweepConfig } from '../../../common/run-config';
import { hdbscanSampled } from '../hdbscan-sampled';
import type { SweepAlgorithm } from './algorithm';

/** The smallest segment as a share of the users clustered, so it means the same at any scale. */
export type HdbscanParams = { algorithm: 'hdbscan'; min_cluster_share: number };

/** HDBSCAN's settings for n users: it is quadratic, so at most hdbscanSampleSize users are clustered exactly. */
function hdbscanSettings(share: number, n: number, config: Pick<SweepConfig, 'hdbscanMinSamples' | 'hdbscanSampleSize'>) {
  const clustered = Math.min(n, config.hdbscanSampleSize);
  const minClusterSize = Math.max(2, Math.round(share * clustered));
  return { minClusterSize, minSamples: Math.min(config.hdbscanMinSamples, minClusterSize, clustered), sampleSize: config.hdbscanSampleSize };
}

export const hdbscanAlgorithm: SweepAlgorithm<HdbscanParams> = {
  name: 'hdbscan',
  convexSegments: false,
  grid: (config) => config.hdbscanMinClusterShares.map((share): HdbscanParams => ({ algorithm: 'hdbscan', min_cluster_share: share })),
  async fit(matrix, { min_cluster_share: share }, { config, seed }) {
    const settings = hdbscanSettings(share, matrix.n, config);
    const result = await hdbscanSampled(matrix.data, matrix.n, matrix.d, { ...settings, seed });
    return { labels: result.labels, inertia: NaN, iterations: 0, details: { ...settings, sampled: result.sampled, clusters: result.clusters } };
  },
  refit: ({ min_cluster_share: share }, { config }) => ({
    // Only a sampled HDBSCAN depends on the seed.
    seeded: config.stabilityMaxUsers > config.hdbscanSampleSize,
    fit: async (part, seed) => (await hdbscanSampled(part.data, part.n, part.d, { ...hdbscanSettings(share, part.n, config), seed })).labels,
  }),
};
