-- Encoder "behavior-stats": a vector of behavior statistics per user (event mix, frequency,
-- recency, monetary value, breadth, category entropy, session shape). Counts are log-scaled because they are
-- heavy-tailed; columns are z-scored later over all users (not per shard). Column order is the
-- vector order; keep BEHAVIOR_STATS_FEATURES in activities/encoders/behavior-stats.ts in sync.
-- Needs: parameters $shard_path (a shard file, docs/DATA-CONTRACTS.md), $from_row, $to_row.
SELECT
    user_id,
    ln(1 + n_events) AS log_events,
    n_views / n_events AS share_views,
    n_carts / n_events AS share_carts,
    n_cart_removals / n_events AS share_cart_removals,
    n_favs / n_events AS share_favs,
    n_purchases / n_events AS share_purchases,
    n_clicks / n_events AS share_clicks,
    n_searches / n_events AS share_searches,
    ln(1 + n_sessions) AS log_sessions,
    ln(1 + n_events / n_sessions) AS log_events_per_session,
    ln(1 + n_items) AS log_items,
    ln(1 + n_categories) AS log_categories,
    -- Shannon entropy (nats) of the categories in the sequence: 0 = one category, high = a browser.
    -- List functions, not a correlated subquery over unnest(events): 0.2 s instead of 4 s per 50,000 users.
    coalesce(list_sum(list_transform(
        map_values(list_histogram(list_transform(events, e -> coalesce(e.category_code, e.category_id, '')))),
        c -> -(c / len(events)) * ln(c / len(events))
    )), 0) AS category_entropy,
    1 - n_items / n_events AS item_repeat_share,
    ln(1 + revenue) AS log_revenue,
    ln(1 + mean_price) AS log_mean_price,
    ln(1 + active_span_s / 3600) AS log_active_hours,
    ln(1 + recency_s / 3600) AS log_recency_hours,
    ln(1 + mean_gap_s / 60) AS log_mean_gap_minutes
FROM read_parquet($shard_path)
WHERE row_in_shard >= $from_row AND row_in_shard < $to_row
ORDER BY row_in_shard;
