-- Sequences of one bucket of users (ordered_events.user_bucket = $bucket), from their events that
-- are not held out: the newest $max_sequence_length of them, oldest first (position is the
-- event's 1-based place in the user's whole ordered history), with summary columns over all of
-- them. clean-logs.ts creates the sequences table from bucket 0 and appends the others: DuckDB's
-- grouped list and distinct aggregates do not spill to disk, so all users at once would not fit
-- the memory limit on large drops.
WITH training AS (
    SELECT * FROM ordered_events WHERE NOT is_holdout AND user_bucket = $bucket
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
    -- Sorting the collected structs (position first) is several times faster than an ordered
    -- aggregate (list(... ORDER BY position)) and gives the same order.
    list_sort(list(
        struct_pack(position, event_time, event_type, item_id, category_id, category_code, brand, title, query_text, price, session_key, gap_s)
    ) FILTER (WHERE position > training_event_count - $max_sequence_length)) AS events
FROM training, horizon
GROUP BY user_id
HAVING count(*) >= $min_events_per_user
