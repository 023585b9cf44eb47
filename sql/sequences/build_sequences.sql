-- Per-user summary columns and the temporal holdout, from the per-user lists of clean_events.sql
-- (user_facts) and events_clean. Order is (event_time, drop_row): many events share a second, and
-- the drop order (files in name order, rows in file order) is the only stable tie-break.

-- 1. Held-out events, for downstream (recommendation) evaluation.
CREATE OR REPLACE TABLE holdout_events AS
SELECT user_id, item_id, category_id, event_type, event_time, price, position
FROM events_clean
WHERE is_holdout;

-- 2. Summary columns over each sequenced user's events before the holdout, and the user's shard;
-- aggregate_users.sql adds the events themselves.
-- Shards: a stable hash of the user id (md5, not DuckDB's hash(), which may change between
-- versions), so a re-run puts every user in the same shard. The modulus is cast to UHUGEINT: a
-- bound integer parameter would otherwise turn the 128-bit hash into a DOUBLE, whose value is a
-- multiple of every small shard count. row_in_shard (0-based, in user_id order) lets embedding
-- batches read [from, to) ranges that Parquet's min/max statistics can skip to.
-- The sequences are aggregated in buckets (memory: see aggregate_users.sql) of consecutive users
-- of one shard, $buckets_per_shard per shard, and appended in (shard, row_in_shard) order, so
-- shardUsers copies each shard out without sorting it.
CREATE OR REPLACE TEMP TABLE user_summaries AS
WITH horizon AS (
    SELECT max(events[-1].event_time) AS last_time_in_drop FROM user_facts WHERE exclusion IS NULL
),
training AS (
    SELECT
        user_id,
        training_count,
        list_slice(events, 1, training_count) AS events,
        list_slice(gaps, 1, training_count) AS gaps,
        -- A session is the log's session id (its hash), or else the gap-based session number.
        list_transform(list_slice(events, 1, training_count),
            (e, i) -> struct_pack(id := e.session, number := CASE WHEN e.session IS NULL THEN session_numbers[i] END)) AS sessions
    FROM user_facts
    WHERE exclusion IS NULL AND training_count >= $min_events_per_user
),
summarized AS (
SELECT
    user_id,
    CAST(training_count AS BIGINT) AS n_events,
    CAST(len(list_filter(events, e -> e.kind = 'view')) AS BIGINT) AS n_views,
    CAST(len(list_filter(events, e -> e.kind = 'click')) AS BIGINT) AS n_clicks,
    CAST(len(list_filter(events, e -> e.kind = 'cart')) AS BIGINT) AS n_carts,
    CAST(len(list_filter(events, e -> e.kind = 'remove_from_cart')) AS BIGINT) AS n_cart_removals,
    CAST(len(list_filter(events, e -> e.kind = 'fav')) AS BIGINT) AS n_favs,
    CAST(len(list_filter(events, e -> e.kind = 'purchase')) AS BIGINT) AS n_purchases,
    CAST(len(list_filter(events, e -> e.kind = 'search')) AS BIGINT) AS n_searches,
    CAST(len(list_distinct(sessions)) AS BIGINT) AS n_sessions,
    CAST(len(list_distinct(list_transform(events, e -> e.item))) AS BIGINT) AS n_items,
    CAST(len(list_distinct(list_transform(events, e -> e.category))) AS BIGINT) AS n_categories,
    coalesce(list_sum(list_transform(list_filter(events, e -> e.kind = 'purchase'), e -> e.price)), 0) AS revenue,
    coalesce(list_avg(list_transform(events, e -> e.price)), 0) AS mean_price,
    events[1].event_time AS first_event_time,
    events[-1].event_time AS last_event_time,
    epoch(events[-1].event_time) - epoch(events[1].event_time) AS active_span_s,
    epoch(horizon.last_time_in_drop) - epoch(events[-1].event_time) AS recency_s,
    coalesce(list_avg(gaps), 0) AS mean_gap_s,
    CAST(md5_number(user_id) % CAST($shard_count AS UHUGEINT) AS INTEGER) AS shard
FROM training, horizon),
placed AS (
    SELECT
        *,
        row_number() OVER (PARTITION BY shard ORDER BY user_id) - 1 AS row_in_shard,
        count(*) OVER (PARTITION BY shard) AS shard_users
    FROM summarized
)
SELECT
    shard,
    row_in_shard,
    * EXCLUDE (shard, row_in_shard, shard_users),
    CAST(shard * $buckets_per_shard + row_in_shard * $buckets_per_shard // shard_users AS INTEGER) AS bucket
FROM placed;

-- 3. Sequences: sql/sequences/aggregate_users.sql, one bucket of users at a time.
