import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { withSharedEmbeddingMatrix } from '../../activities/evaluation/shared-embedding-matrix';
import { writeEmbeddingFile } from '../../lib/runtime/embedding-file';
import { freshDataDir } from '../helpers/pipeline-harness';

describe('the embedding matrix of candidates scored at once', () => {
  it('is one copy while they run together, and loaded again (from the files as they are) after the last one ends', async () => {
    const file = path.join(freshDataDir('shared-matrix'), 'shard.arrow');
    await writeEmbeddingFile(file, { userIds: ['a', 'b', 'c'], vectors: Float32Array.from([1, 2, 3, 4, 5, 6]), dimensions: 2 });
    const seen: unknown[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const first = withSharedEmbeddingMatrix([file], 'item2vec', 0, async (loaded) => {
      seen.push(loaded.matrix);
      await gate;
    });
    const second = withSharedEmbeddingMatrix([file], 'item2vec', 0, async (loaded) => {
      seen.push(loaded.matrix);
      release();
    });
    await Promise.all([first, second]);
    expect(seen).toHaveLength(2);
    expect(seen[0]).toBe(seen[1]);
    await writeEmbeddingFile(file, { userIds: ['a', 'b', 'c'], vectors: Float32Array.from([9, 9, 9, 9, 9, 9]), dimensions: 2 });
    const later = await withSharedEmbeddingMatrix([file], 'item2vec', 0, async (loaded) => loaded.matrix);
    expect(later).not.toBe(seen[0]);
    expect(Array.from(later.data)).toEqual([9, 9, 9, 9, 9, 9]);
  });
});
