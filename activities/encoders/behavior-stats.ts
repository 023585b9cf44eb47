import type { DuckDBConnection } from '@duckdb/node-api';
import { loadSql } from '../../lib/runtime/duckdb';
import type { EmbeddingBlock } from '../../lib/runtime/embedding-file';
import type { SequenceEncoder } from './encoder';

/** Feature order of sql/encoders/behavior_stats.sql (the vector's dimensions). */
export const BEHAVIOR_STATS_FEATURES = [
  'log_events', 'share_views', 'share_carts', 'share_cart_removals', 'share_favs', 'share_purchases',
  'share_clicks', 'share_searches', 'log_sessions', 'log_events_per_session', 'log_items', 'log_categories',
  'category_entropy', 'item_repeat_share',
  'log_revenue', 'log_mean_price', 'log_active_hours', 'log_recency_hours', 'log_mean_gap_minutes',
] as const;

/** Behavior statistics per user, computed in DuckDB over a row range of a shard. */
export function behaviorStatsEncoder(connection: DuckDBConnection): SequenceEncoder {
  return {
    name: 'behavior-stats',
    dimensions: BEHAVIOR_STATS_FEATURES.length,
    async encodeBatch(shardPath, fromRow, toRow): Promise<EmbeddingBlock> {
      const reader = await connection.runAndReadAll(loadSql('encoders/behavior_stats.sql'), {
        shard_path: shardPath,
        from_row: fromRow,
        to_row: toRow,
      });
      const columns = reader.getColumnsJS();
      const names = reader.columnNames();
      const rows = reader.currentRowCount;
      const dimensions = BEHAVIOR_STATS_FEATURES.length;
      const vectors = new Float32Array(rows * dimensions);
      BEHAVIOR_STATS_FEATURES.forEach((feature, d) => {
        const column = columns[names.indexOf(feature)];
        for (let r = 0; r < rows; r++) vectors[r * dimensions + d] = Number(column[r] ?? 0);
      });
      return { userIds: columns[names.indexOf('user_id')].map(String), vectors, dimensions };
    },
  };
}
