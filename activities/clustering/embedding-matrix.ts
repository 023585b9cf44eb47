import { runConfigError } from '../../common/errors';
import type { EncoderName } from '../../common/run-config';
import { fitPca, transformPca, type PcaModel } from './pca';
import { concatBlocks, readEmbeddingFile } from '../../lib/runtime/embedding-file';
import type { Matrix } from '../metrics/internal';
import { encoderStandardizes } from '../encoders';

/**
 * Loads an encoder's shard embeddings into one matrix (rows in shard order), z-scores each column
 * over all users for encoders that ask for it, and projects onto the first `pcaComponents`
 * principal components when asked. Clustering and evaluation both load through here, so they
 * always see the same space.
 */
export async function loadEmbeddingMatrix(
  paths: string[], encoder: EncoderName, pcaComponents = 0,
): Promise<{ userIds: string[]; matrix: Matrix; pca?: PcaModel; standardization?: Standardization }> {
  const blocks = [];
  for (const file of paths) blocks.push(await readEmbeddingFile(file));
  const merged = concatBlocks(blocks);
  const matrix = { data: merged.vectors, n: merged.userIds.length, d: merged.dimensions };
  const standardization = encoderStandardizes(encoder) ? standardizeColumns(matrix) : undefined;
  if (pcaComponents === 0) return { userIds: merged.userIds, matrix, standardization };
  if (pcaComponents >= matrix.d) {
    throw runConfigError(`run config field "pcaComponents" (${pcaComponents}) must be below the ${encoder} width (${matrix.d}), or 0 for no PCA`);
  }
  const pca = await fitPca(matrix.data, matrix.n, matrix.d, pcaComponents);
  return { userIds: merged.userIds, matrix: { data: await transformPca(pca, matrix.data, matrix.n), n: matrix.n, d: pcaComponents }, pca, standardization };
}

/** Each column's mean and 1/std as standardizeColumns applied them: a segment model replays them on new users. */
export interface Standardization {
  mean: Float64Array;
  scale: Float64Array;
}

export function standardizeColumns({ data, n, d }: Matrix): Standardization {
  const stats = { mean: new Float64Array(d), scale: new Float64Array(d) };
  for (let j = 0; j < d; j++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += data[i * d + j];
    mean /= n;
    let variance = 0;
    for (let i = 0; i < n; i++) variance += (data[i * d + j] - mean) ** 2;
    const std = Math.sqrt(variance / n);
    // A constant column carries no information; centring it to 0 keeps it out of the distances.
    const scale = std > 0 ? 1 / std : 0;
    for (let i = 0; i < n; i++) data[i * d + j] = (data[i * d + j] - mean) * scale;
    stats.mean[j] = mean;
    stats.scale[j] = scale;
  }
  return stats;
}

/** standardizeColumns with stats fitted elsewhere (a segment model's), on new rows; the same arithmetic, so the same floats. */
export function applyStandardization({ data, n, d }: Matrix, { mean, scale }: Standardization): void {
  for (let j = 0; j < d; j++) {
    for (let i = 0; i < n; i++) data[i * d + j] = (data[i * d + j] - mean[j]) * scale[j];
  }
}
