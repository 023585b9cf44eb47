import { describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { BEHAVIOR_STATS_FEATURES, behaviorStatsEncoder } from '../../activities/encoders/behavior-stats';
import { configSection, resolveRunConfig } from '../../common/run-config';
import { openDuckDB } from '../../lib/runtime/duckdb';
import { projectPath } from '../../lib/paths';
import { freshDataDir } from '../helpers/pipeline-harness';

/**
 * behavior-stats' category entropy is computed with DuckDB list functions (20x faster than the
 * correlated subquery it replaced, which mattered at 10^6 users); here it is recomputed
 * independently in TypeScript from each user's events, on the real bundled sample.
 */
describe('behavior-stats: category entropy', () => {
  it('is the Shannon entropy (nats) of each sequence\'s categories, for every user of the bundled sample', async () => {
    const activities = createActivities();
    const config = resolveRunConfig({ shardCount: 1 });
    const runDir = freshDataDir('behavior-stats-entropy');
    const inspected = await activities.inspectDrop({ runDir, source: projectPath('data', 'sample', 'rees46-2019-oct-sample.csv'), mappingFile: '' });
    await activities.cleanRawLogs({ runDir, files: inspected.files, pinned: inspected.pinned, format: inspected.format, delimiter: inspected.delimiter, config: configSection(config, 'ingest', 'runtime') });
    const { shards } = await activities.shardUsers({ runDir, config: configSection(config, 'runtime') });
    const database = await openDuckDB(':memory:');
    try {
      const rows = await database.connection.runAndReadAll(
        "SELECT user_id, list_transform(events, e -> coalesce(e.category_code, e.category_id, '')) AS categories FROM read_parquet($path) ORDER BY row_in_shard",
        { path: shards[0].path });
      const [userIds, categories] = rows.getColumnsJS() as [string[], string[][]];
      const block = await behaviorStatsEncoder(database.connection).encodeBatch(shards[0].path, 0, userIds.length);
      expect(block.userIds).toEqual(userIds.map(String));
      const column = BEHAVIOR_STATS_FEATURES.indexOf('category_entropy');
      let multiCategory = 0;
      categories.forEach((list, user) => {
        const counts = new Map<string, number>();
        for (const category of list) counts.set(category, (counts.get(category) ?? 0) + 1);
        let entropy = 0;
        for (const count of counts.values()) entropy -= (count / list.length) * Math.log(count / list.length);
        if (counts.size > 1) multiCategory++;
        expect(block.vectors[user * block.dimensions + column], `user ${userIds[user]}`).toBeCloseTo(entropy, 5);
      });
      expect(multiCategory).toBeGreaterThan(50);
    } finally {
      database.close();
    }
  }, 60_000);
});
