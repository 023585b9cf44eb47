import { dbscan } from '../dbscan';
import { epsFromKDistance } from '../eps-from-k-distance';
import type { SweepAlgorithm } from './algorithm';

/**
 * eps is not known before the data is: `q` names a quantile of the users' distances to their
 * `min_samples`-th nearest neighbour (the point itself included, as scikit-learn counts).
 */
export type DbscanParams = { algorithm: 'dbscan'; q: number; min_samples: number };

export const dbscanAlgorithm: SweepAlgorithm<DbscanParams> = {
  name: 'dbscan',
  convexSegments: false,
  grid(config) {
    return config.dbscanMinSamples.flatMap((minSamples) =>
      config.dbscanEpsQuantiles.map((quantile): DbscanParams => ({ algorithm: 'dbscan', q: quantile, min_samples: minSamples })));
  },
  async fit(matrix, { q: quantile, min_samples: minSamples }, { seed }) {
    const eps = await epsFromKDistance(matrix.data, matrix.n, matrix.d, minSamples, quantile, seed);
    const result = await dbscan(matrix.data, matrix.n, matrix.d, eps, minSamples);
    return { labels: result.labels, inertia: NaN, iterations: 0, details: { eps, minSamples, quantile, clusters: result.clusters } };
  },
  // Refits with the eps the fit chose; DBSCAN does not depend on a seed.
  refit: (params, { details }) => ({
    seeded: false,
    fit: async (part) => (await dbscan(part.data, part.n, part.d, Number(details.eps), Number(details.minSamples))).labels,
  }),
};
