import fs from 'node:fs/promises';
import type { EncoderName } from '../../common/run-config';
import { loadEmbeddingMatrix } from '../clustering/embedding-matrix';

type Loaded = Awaited<ReturnType<typeof loadEmbeddingMatrix>>;

const inUse = new Map<string, { holders: number; loading: Promise<Loaded> }>();

/**
 * Runs `body` on an encoder's loaded matrix, shared by the candidates of that encoder scored (or
 * screened) at the same time in this process: four concurrent candidates hold one copy of all
 * users' vectors instead of four (at 10^6 users and 64 dimensions, 256 MB each), and load it once.
 * The copy is dropped when the last of them finishes. `body` must not modify the matrix.
 */
export async function withSharedEmbeddingMatrix<T>(paths: string[], encoder: EncoderName, pcaComponents: number, body: (loaded: Loaded) => Promise<T>): Promise<T> {
  // The files' identities are in the key, so a re-embedded shard is never served from an old copy.
  const identities = await Promise.all(paths.map(async (file) => {
    const stat = await fs.stat(file);
    return `${file}:${stat.size}:${stat.mtimeMs}`;
  }));
  const key = JSON.stringify({ identities, encoder, pcaComponents });
  let entry = inUse.get(key);
  if (!entry) {
    entry = { holders: 0, loading: loadEmbeddingMatrix(paths, encoder, pcaComponents) };
    inUse.set(key, entry);
  }
  entry.holders++;
  try {
    return await body(await entry.loading);
  } finally {
    if (--entry.holders === 0 && inUse.get(key) === entry) inUse.delete(key);
  }
}
