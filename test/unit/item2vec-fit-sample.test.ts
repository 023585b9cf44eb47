import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { fitItem2Vec } from '../../activities/encoders/item2vec/fit';
import { configSection, resolveRunConfig } from '../../common/run-config';
import { openDuckDB } from '../../lib/runtime/duckdb';
import { readEmbeddingFile } from '../../lib/runtime/embedding-file';
import { projectPath } from '../../lib/paths';
import { freshDataDir } from '../helpers/pipeline-harness';

/** Real shards of the bundled sample (402 users), cleaned and sharded as a run does. */
async function sampleShards(label: string): Promise<{ runDir: string; shardPaths: string[] }> {
  const activities = createActivities();
  const config = resolveRunConfig({ shardCount: 2 });
  const runDir = freshDataDir(label);
  const inspected = await activities.inspectDrop({ runDir, source: projectPath('data', 'sample', 'rees46-2019-oct-sample.csv'), mappingFile: '' });
  await activities.cleanRawLogs({ runDir, files: inspected.files, pinned: inspected.pinned, format: inspected.format, delimiter: inspected.delimiter, config: configSection(config, 'ingest', 'runtime') });
  const { shards } = await activities.shardUsers({ runDir, config: configSection(config, 'runtime') });
  return { runDir, shardPaths: shards.map((shard) => shard.path) };
}

describe('item2vec trained on a bounded sample of users (item2vecFitUsers)', () => {
  it('trains on every user when they fit in the sample, and on the hash-picked share of each shard when not', async () => {
    const { runDir, shardPaths } = await sampleShards('item2vec-fit-sample');
    const database = await openDuckDB(':memory:');
    try {
      const fit = (fitUsers: number, name: string) =>
        fitItem2Vec(database.connection, shardPaths, resolveRunConfig({ item2vecFitUsers: fitUsers, item2vecMinCount: 1 }), 7, path.join(runDir, name));
      const usersPerShard = await Promise.all(shardPaths.map(async (shard) =>
        Number((await database.connection.runAndReadAll(`SELECT count(*) FROM read_parquet('${shard}')`)).getRows()[0][0])));
      const users = usersPerShard.reduce((sum, count) => sum + count, 0);
      expect(users).toBeGreaterThan(300);

      const all = await fit(100_000, 'all.arrow');
      expect(all.fit_users).toBe(users);
      const sampled = await fit(100, 'sampled.arrow');
      // 50 per shard (100 spread over 2 shards), the rest of each shard left out of training only.
      expect(sampled.fit_users).toBe(100);
      expect(sampled.tokens).toBeLessThan(all.tokens / 2);
      expect(sampled.vocabulary).toBeLessThan(all.vocabulary);

      // The sample is picked by the id's hash, so the same setting trains on the same users: the same vectors.
      const again = await fit(100, 'again.arrow');
      expect(again).toEqual(sampled);
      const [first, second] = await Promise.all(['sampled.arrow', 'again.arrow'].map((name) => readEmbeddingFile(path.join(runDir, name))));
      expect(second.userIds).toEqual(first.userIds);
      expect(Buffer.from(second.vectors.buffer).equals(Buffer.from(first.vectors.buffer))).toBe(true);
    } finally {
      database.close();
    }
  });
});
