-- Segment profiles: who is in each segment, from the run's per-user summary columns.
-- Needs: the run database attached as `run` (run.sequences) and segments(user_id, segment).
SELECT
    segments.segment,
    count(*) AS users,
    count(*) / sum(count(*)) OVER () AS share,
    avg(sequences.n_events) AS mean_events,
    avg(sequences.n_sessions) AS mean_sessions,
    sum(sequences.n_views) / sum(sequences.n_events) AS view_share,
    sum(sequences.n_carts) / sum(sequences.n_events) AS cart_share,
    sum(sequences.n_purchases) / sum(sequences.n_events) AS purchase_share,
    sum(sequences.n_clicks) / sum(sequences.n_events) AS click_share,
    sum(sequences.n_favs) / sum(sequences.n_events) AS fav_share,
    sum(sequences.n_searches) / sum(sequences.n_events) AS search_share,
    avg(CASE WHEN sequences.n_purchases > 0 THEN 1 ELSE 0 END) AS buyer_share,
    avg(sequences.revenue) AS mean_revenue,
    avg(sequences.mean_price) AS mean_price,
    avg(sequences.n_items) AS mean_distinct_items,
    avg(sequences.recency_s) / 3600 AS mean_recency_hours
FROM segments
JOIN run.sequences AS sequences USING (user_id)
GROUP BY segments.segment
ORDER BY segments.segment;
