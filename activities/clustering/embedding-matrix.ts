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
): Promise<{ userIds: string[]; matrix: Matrix; pca?: PcaModel }> {
  const blocks = [];
  for (const file of paths) blocks.push(await readEmbeddingFile(file));
  const merged = concatBlocks(blocks);
  const matrix = { data: merged.vectors, n: merged.userIds.length, d: merged.dimensions };
  if (encoderStandardizes(encoder)) standardizeColumns(matrix);
  if (pcaComponents === 0) return { userIds: merged.userIds, matrix };
  if (pcaComponents >= matrix.d) {
    throw runConfigError(`run config field "pcaComponents" (${pcaComponents}) must be below the ${encoder} width (${matrix.d}), or 0 for no PCA`);
  }
  const pca = await fitPca(matrix.data, matrix.n, matrix.d, pcaComponents);
  return { userIds: merged.userIds, matrix: { data: await transformPca(pca, matrix.data, matrix.n), n: matrix.n, d: pcaComponents }, pca };
}

export function standardizeColumns({ data, n, d }: Matrix): void {
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
  }
}
