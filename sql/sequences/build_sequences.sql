-- Per-user behavior sequences and summary columns, from events_clean.
-- Order is (event_time, source_file, drop_row): many events share a second, and the drop order is
-- the only stable tie-break. Only the newest $max_sequence_length events go into `events`; the
-- summary columns cover all of a user's events.
CREATE OR REPLACE TABLE sequences AS
WITH ordered AS (
    SELECT
        *,
        row_number() OVER by_time AS position,
        count(*) OVER (PARTITION BY user_id) AS user_event_count,
        epoch(event_time) - epoch(lag(event_time) OVER by_time) AS gap_s
    FROM events_clean
    WINDOW by_time AS (PARTITION BY user_id ORDER BY event_time, source_file, drop_row)
),
sessionized AS (
    SELECT
        *,
        -- The log's own session id wins; otherwise a new session starts after a long gap.
        coalesce(
            session_id,
            user_id || '#' || sum(CASE WHEN gap_s IS NULL OR gap_s > $session_gap_s THEN 1 ELSE 0 END)
                OVER (PARTITION BY user_id ORDER BY position)
        ) AS session_key
    FROM ordered
),
horizon AS (
    SELECT max(event_time) AS last_time_in_drop FROM events_clean
)
SELECT
    user_id,
    count(*) AS n_events,
    count(*) FILTER (WHERE event_type = 'view') AS n_views,
    count(*) FILTER (WHERE event_type = 'click') AS n_clicks,
    count(*) FILTER (WHERE event_type = 'cart') AS n_carts,
    count(*) FILTER (WHERE event_type = 'remove_from_cart') AS n_cart_removals,
    count(*) FILTER (WHERE event_type = 'fav') AS n_favs,
    count(*) FILTER (WHERE event_type = 'purchase') AS n_purchases,
    count(*) FILTER (WHERE event_type = 'search') AS n_searches,
    count(DISTINCT session_key) AS n_sessions,
    count(DISTINCT item_id) AS n_items,
    count(DISTINCT category_id) AS n_categories,
    coalesce(sum(price) FILTER (WHERE event_type = 'purchase'), 0) AS revenue,
    coalesce(avg(price), 0) AS mean_price,
    min(event_time) AS first_event_time,
    max(event_time) AS last_event_time,
    epoch(max(event_time)) - epoch(min(event_time)) AS active_span_s,
    epoch(any_value(horizon.last_time_in_drop)) - epoch(max(event_time)) AS recency_s,
    coalesce(avg(gap_s), 0) AS mean_gap_s,
    list(
        struct_pack(event_time, event_type, item_id, category_id, category_code, brand, price, session_key, gap_s)
        ORDER BY position
    ) FILTER (WHERE position > user_event_count - $max_sequence_length) AS events
FROM sessionized, horizon
GROUP BY user_id
HAVING count(*) >= $min_events_per_user;
