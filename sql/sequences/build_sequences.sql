-- Per-user behavior sequences, summary columns and the temporal holdout, from events_clean.
-- Order is (event_time, drop_row): many events share a second, and the drop order (files in name
-- order, rows in file order) is the only stable tie-break.

-- 1. Order each user's events once; flag the holdout, number the sessions. Everything the
-- sequences need per event is computed here, so step 3 is a plain GROUP BY.
CREATE OR REPLACE TEMP TABLE ordered_events AS
WITH positioned AS (
    SELECT
        *,
        row_number() OVER by_time AS position,
        count(*) OVER by_user AS user_event_count,
        epoch(event_time) - epoch(lag(event_time) OVER by_time) AS gap_s,
        -- 'time' and 'last_purchase' hold out the events at or after a per-user moment.
        CASE $holdout_mode
            WHEN 'time' THEN CAST(nullif($holdout_cutoff, '') AS TIMESTAMP)
            WHEN 'last_purchase' THEN max(CASE WHEN event_type = 'purchase' THEN event_time END) OVER by_user
        END AS holdout_from
    FROM events_clean
    WINDOW by_time AS (PARTITION BY user_id ORDER BY event_time, drop_row),
           by_user AS (PARTITION BY user_id)
),
holdout_sized AS (
    SELECT
        *,
        -- Events kept for segmentation. A user keeps all of them (no holdout) when the holdout
        -- would leave fewer than $min_events_per_user.
        -- (Events in the same second as the holdout moment count as after it.)
        CASE $holdout_mode
            WHEN 'last_n' THEN user_event_count - $holdout_last_n
            WHEN 'none' THEN user_event_count
            ELSE count(*) FILTER (WHERE event_time < holdout_from) OVER (PARTITION BY user_id)
        END AS kept_if_held_out
    FROM positioned
),
flagged AS (
    SELECT
        *,
        CASE WHEN kept_if_held_out >= $min_events_per_user THEN kept_if_held_out ELSE user_event_count END AS training_event_count
    FROM holdout_sized
)
SELECT
    *,
    -- Step 3 aggregates one bucket of users at a time, so its memory stays bounded.
    CAST(hash(user_id) % CAST($user_buckets AS UBIGINT) AS INTEGER) AS user_bucket,
    position > training_event_count AS is_holdout,
    -- The log's own session id wins; otherwise a new session starts after a long gap.
    coalesce(session_id, user_id || '#' || sum(coalesce(gap_s > $session_gap_s, true)::INTEGER) OVER (PARTITION BY user_id ORDER BY position)) AS session_key
FROM flagged;

-- 2. Held-out events, for downstream (recommendation) evaluation.
CREATE OR REPLACE TABLE holdout_events AS
SELECT user_id, item_id, category_id, event_type, event_time, price, position
FROM ordered_events
WHERE is_holdout;

-- 3. Sequences: sql/sequences/aggregate_users.sql, one bucket of users at a time.
