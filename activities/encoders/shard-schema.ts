/**
 * The shard Parquet schema (docs/DATA-CONTRACTS.md): what embedding activities may rely on.
 * DuckDB type as DESCRIBE reports it, and the Arrow type a Parquet/Arrow reader sees.
 * test/integration/pipeline.test.ts checks real shards against it.
 */
const EVENT_STRUCT =
  'STRUCT("position" BIGINT, event_time TIMESTAMP, event_type VARCHAR, item_id VARCHAR, category_id VARCHAR, category_code VARCHAR, ' +
  'brand VARCHAR, title VARCHAR, query_text VARCHAR, price DOUBLE, session_key VARCHAR, gap_s DOUBLE)[]';

export const SHARD_COLUMNS: Array<{ name: string; duckdb: string; arrow: string }> = [
  { name: 'shard', duckdb: 'INTEGER', arrow: 'Int32' },
  { name: 'row_in_shard', duckdb: 'BIGINT', arrow: 'Int64' },
  { name: 'user_id', duckdb: 'VARCHAR', arrow: 'Utf8' },
  ...['n_events', 'n_views', 'n_clicks', 'n_carts', 'n_cart_removals', 'n_favs', 'n_purchases', 'n_searches', 'n_sessions', 'n_items', 'n_categories']
    .map((name) => ({ name, duckdb: 'BIGINT', arrow: 'Int64' })),
  { name: 'revenue', duckdb: 'DOUBLE', arrow: 'Float64' },
  { name: 'mean_price', duckdb: 'DOUBLE', arrow: 'Float64' },
  { name: 'first_event_time', duckdb: 'TIMESTAMP', arrow: 'Timestamp(MICROSECOND)' },
  { name: 'last_event_time', duckdb: 'TIMESTAMP', arrow: 'Timestamp(MICROSECOND)' },
  { name: 'active_span_s', duckdb: 'DOUBLE', arrow: 'Float64' },
  { name: 'recency_s', duckdb: 'DOUBLE', arrow: 'Float64' },
  { name: 'mean_gap_s', duckdb: 'DOUBLE', arrow: 'Float64' },
  { name: 'events', duckdb: EVENT_STRUCT, arrow: 'List<Struct<position: Int64, event_time: Timestamp(MICROSECOND), event_type: Utf8, item_id: Utf8, category_id: Utf8, category_code: Utf8, brand: Utf8, title: Utf8, query_text: Utf8, price: Float64, session_key: Utf8, gap_s: Float64>>' },
];
