-- Per-user summary columns, shard placement and the temporal holdout, from the per-user lists of
-- clean_events.sql (user_facts) and events_clean. Order is (event_time, drop_row): many events
-- share a second, and the drop order (files in name order, rows in file order) is the only stable
-- tie-break. The columns' contracts are checked by build_user_summaries.checks.json.
-- Needs:
--   user_facts (temporary), events_clean (clean_events.sql)
--   the macro md5_mod(text, n) (macros.sql)
--   parameters $min_events_per_user, $shard_count, $buckets_per_shard
-- Creates: holdout_events, user_summaries.

-- 1. Held-out events, for downstream (recommendation) evaluation.
CREATE OR REPLACE TABLE holdout_events AS
SELECT user_id, item_id, category_id, event_type, event_time, price, position
FROM events_clean
WHERE is_holdout;

-- 2. Summary columns over each sequenced user's events before the holdout, and the user's place:
-- shard, row_in_shard, bucket. shardUsers (aggregate_users.sql) adds the events themselves.
-- Shards: a stable hash of the user id (md5, not DuckDB's hash(), which may change between
-- versions), so a re-run puts every user in the same shard: md5_mod (macros.sql) is the
-- 128-bit md5 number modulo the shard count. row_in_shard (0-based, in user_id order) lets
-- embedding batches read [from, to) ranges that Parquet's min/max statistics can skip to.
-- Buckets: consecutive users of one shard, $buckets_per_shard per shard; shardUsers aggregates one
-- bucket at a time (memory: see aggregate_users.sql).
CREATE OR REPLACE TABLE user_summaries AS
WITH horizon AS (
    SELECT max(events[-1].event_time) AS last_time_in_drop FROM user_facts WHERE exclusion IS NULL
),
training AS (
    SELECT
        user_id,
        training_count,
        list_slice(events, 1, training_count) AS events,
        list_slice(gaps, 1, training_count) AS gaps,
        list_slice(session_numbers, 1, training_count) AS session_numbers,
        CAST(md5_mod(user_id, $shard_count) AS INTEGER) AS shard
    FROM user_facts
    WHERE exclusion IS NULL AND training_count >= $min_events_per_user
),
counted AS (
    SELECT
        *,
        -- One pass over the kinds: a map from kind to its count (absent kinds are missing).
        list_aggregate(list_transform(events, e -> e.kind), 'histogram') AS kinds
    FROM training
),
summarized AS (
SELECT
    shard,
    user_id,
    CAST(training_count AS BIGINT) AS n_events,
    CAST(coalesce(kinds['view'], 0) AS BIGINT) AS n_views,
    CAST(coalesce(kinds['click'], 0) AS BIGINT) AS n_clicks,
    CAST(coalesce(kinds['cart'], 0) AS BIGINT) AS n_carts,
    CAST(coalesce(kinds['remove_from_cart'], 0) AS BIGINT) AS n_cart_removals,
    CAST(coalesce(kinds['fav'], 0) AS BIGINT) AS n_favs,
    CAST(coalesce(kinds['purchase'], 0) AS BIGINT) AS n_purchases,
    CAST(coalesce(kinds['search'], 0) AS BIGINT) AS n_searches,
    -- A session is the log's session id (its hash), or else the gap-based session number
    -- (list_distinct leaves NULLs out, so each count sees only its own kind of event).
    CAST(len(list_distinct(list_transform(events, e -> e.session)))
        + len(list_distinct(list_transform(events, (e, i) -> CASE WHEN e.session IS NULL THEN session_numbers[i] END))) AS BIGINT) AS n_sessions,
    CAST(len(list_distinct(list_transform(events, e -> e.item))) AS BIGINT) AS n_items,
    CAST(len(list_distinct(list_transform(events, e -> e.category))) AS BIGINT) AS n_categories,
    coalesce(list_sum(list_transform(list_filter(events, e -> e.kind = 'purchase'), e -> e.price)), 0) AS revenue,
    coalesce(list_avg(list_transform(events, e -> e.price)), 0) AS mean_price,
    events[1].event_time AS first_event_time,
    events[-1].event_time AS last_event_time,
    epoch(events[-1].event_time) - epoch(events[1].event_time) AS active_span_s,
    epoch(horizon.last_time_in_drop) - epoch(events[-1].event_time) AS recency_s,
    coalesce(list_avg(gaps), 0) AS mean_gap_s
FROM counted, horizon),
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
