import { cannotCluster, runConfigError } from '../../common/errors';
import { kmeans } from './kmeans';
import { forEachNearestNeighbors } from './nearest-neighbors';
import { sampleIndices, seededRandom } from './random';
import { spectralEmbedding } from './spectral-embedding';

/**
 * Spectral clustering as scikit-learn's SpectralClustering(affinity='nearest_neighbors',
 * assign_labels='kmeans') does it (von Luxburg 2007, "A tutorial on spectral clustering"):
 *  1. the k-nearest-neighbour connectivity graph C (each point's `neighbors` nearest points, itself
 *     included) made symmetric as A = (C + C^T) / 2; self-loops play no part;
 *  2. the k eigenvectors u of the normalized Laplacian L = I - D^-1/2 A D^-1/2 with the smallest
 *     eigenvalues, scaled to D^-1/2 u (one row per point, k columns; scikit-learn's embedding, not
 *     row-normalized): spectral-embedding.ts;
 *  3. k-means on the embedding.
 * The graph is built on a seeded sample of `sampleSize` points (brute-force neighbours: m^2 distances);
 * every other point takes the label most common among its `neighbors` nearest sampled points, the
 * nearer one winning a tie: the label the graph would most likely have given it, had it been sampled.
 */
export interface SpectralOptions {
  k: number;
  /** Neighbours per point in the affinity graph, the point itself included (scikit-learn's n_neighbors). */
  neighbors: number;
  /** Points in the graph; the rest are labelled by their nearest sampled points. */
  sampleSize: number;
  seed: number;
  /** k-means restarts on the embedding (scikit-learn's n_init, 10 there). */
  nInit?: number;
  maxIterations?: number;
}

export interface SpectralResult {
  labels: Int32Array;
  /** Points in the graph. */
  sampled: number;
  /** Connected components of the sample's graph (more than k: the embedding cannot tell them all apart). */
  components: number;
  /** The k smallest eigenvalues of the normalized Laplacian, ascending. */
  eigenvalues: number[];
  lanczosSteps: number;
}

export async function spectralClustering(data: Float32Array, n: number, d: number, options: SpectralOptions): Promise<SpectralResult> {
  const { k } = options;
  if (k < 1) throw new Error(`spectral clustering: k=${k} must be at least 1`);
  if (k > n) throw cannotCluster(n, k);
  if (k > options.sampleSize) {
    throw runConfigError(`spectral clustering builds its graph on spectralSampleSize=${options.sampleSize} users, too few for k=${k}: raise spectralSampleSize or lower kMax`);
  }
  const random = seededRandom(options.seed);
  const rows = n <= options.sampleSize ? Int32Array.from({ length: n }, (_, i) => i) : sampleIndices(n, options.sampleSize, random).sort();
  const m = rows.length;
  const sample = new Float32Array(m * d);
  rows.forEach((row, s) => sample.set(data.subarray(row * d, (row + 1) * d), s * d));
  const neighbors = Math.min(options.neighbors, m);
  const embedding = await spectralEmbedding(sample, m, d, neighbors, k, random);
  const { labels: sampleLabels } = await kmeans(embedding.rows, m, k, { k, seed: options.seed, nInit: options.nInit ?? 10, maxIterations: options.maxIterations ?? 300 });
  const result = { sampled: m, components: embedding.components, eigenvalues: embedding.eigenvalues, lanczosSteps: embedding.lanczosSteps };
  if (m === n) return { labels: sampleLabels, ...result };
  return { labels: await labelBySampleNeighbors(data, n, d, rows, sample, sampleLabels, k, neighbors), ...result };
}

/** Sampled points keep their label; every other point takes the majority label of its nearest sampled points. */
async function labelBySampleNeighbors(
  data: Float32Array, n: number, d: number, rows: Int32Array, sample: Float32Array, sampleLabels: Int32Array, k: number, neighbors: number,
): Promise<Int32Array> {
  const labels = new Int32Array(n).fill(-1);
  rows.forEach((row, s) => (labels[row] = sampleLabels[s]));
  const votes = new Int32Array(k);
  await forEachNearestNeighbors(data, n, sample, rows.length, d, neighbors, (i, indices) => {
    if (labels[i] >= 0) return;
    votes.fill(0);
    let most = 0;
    for (const s of indices) most = Math.max(most, ++votes[sampleLabels[s]]);
    // Among labels with the most votes, the one of the nearest neighbour.
    const best = sampleLabels[indices.find((s) => votes[sampleLabels[s]] === most)!];
    labels[i] = best;
  });
  return labels;
}
