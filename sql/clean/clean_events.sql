-- Cleaning, shared by every format (all of them produce staged_events, read here through the
-- view staged_rows, which adds drop_row).
-- Every staged row ends up in exactly one place: events_clean, quarantine (with a reason), or
-- counted as an exact duplicate of an earlier row (events_clean.copies - 1). Malformed CSV lines
-- join the quarantine from csv_rejects. The accounting table must add up; clean-logs.ts checks it.

-- 1. Row-level checks happened at staging (quarantine_reason; see stage_events.sql).

-- 2. Exact duplicates: one row per distinct canonical event, keeping the first copy's position.
CREATE OR REPLACE TEMP TABLE distinct_events AS
SELECT
    user_id, item_id, category_id, category_code, brand, title, query_text, event_type, event_time, price, session_id,
    arg_min(source_file, drop_row) AS source_file,
    min(drop_row) AS drop_row,
    count(*) AS copies
FROM staged_rows
WHERE quarantine_reason IS NULL
GROUP BY ALL;

-- 3. User-level exclusions: bot-like activity, then sampling (a stable hash of the id decides).
CREATE OR REPLACE TEMP TABLE excluded_users AS
WITH per_minute AS (
    SELECT user_id, max(n) AS max_events_per_minute
    FROM (SELECT user_id, count(*) AS n FROM distinct_events GROUP BY user_id, date_trunc('minute', event_time))
    GROUP BY user_id
),
per_session AS (
    SELECT user_id, max(n) AS max_views_per_session
    FROM (
        SELECT user_id, count(*) AS n FROM distinct_events
        WHERE event_type = 'view' AND session_id IS NOT NULL
        GROUP BY user_id, session_id
    )
    GROUP BY user_id
),
judged AS (
    SELECT
        per_minute.user_id,
        CASE
            WHEN $bot_max_events_per_minute > 0 AND max_events_per_minute > $bot_max_events_per_minute THEN 'bot_user'
            WHEN $bot_max_views_per_session > 0 AND coalesce(max_views_per_session, 0) > $bot_max_views_per_session THEN 'bot_user'
            WHEN md5_number(per_minute.user_id) % CAST(10000 AS UHUGEINT) >= CAST($sample_per_10000 AS UHUGEINT) THEN 'sampled_out'
        END AS reason,
        max_events_per_minute,
        max_views_per_session
    FROM per_minute
    LEFT JOIN per_session USING (user_id)
)
SELECT * FROM judged WHERE reason IS NOT NULL;

CREATE OR REPLACE TABLE events_clean AS
SELECT * FROM distinct_events ANTI JOIN excluded_users USING (user_id);

CREATE OR REPLACE TABLE quarantine AS
SELECT
    source_file,
    drop_row,
    NULL::BIGINT AS line,
    quarantine_reason AS reason,
    CASE quarantine_reason
        WHEN 'missing_user_id' THEN 'user id is empty'
        WHEN 'missing_item_id' THEN 'item id is empty'
        WHEN 'unknown_event_type' THEN 'event type ' || coalesce('"' || event_type_raw || '"', 'is empty') || ' is not in the format''s vocabulary'
        WHEN 'bad_timestamp' THEN 'timestamp ' || coalesce('"' || event_time_raw || '"', 'is empty') || ' does not parse'
        WHEN 'outside_time_window' THEN 'timestamp ' || event_time_raw || ' is outside the configured time window'
        WHEN 'bad_price' THEN 'price "' || price_raw || '" is not a number'
        WHEN 'non_positive_price' THEN 'price ' || price_raw || ' is not positive'
    END AS detail
FROM staged_rows
WHERE quarantine_reason IS NOT NULL
UNION ALL
-- Every copy of an excluded user's events counts once here; its duplicates were counted already.
SELECT
    events.source_file,
    events.drop_row,
    NULL::BIGINT AS line,
    excluded.reason,
    CASE excluded.reason
        WHEN 'bot_user' THEN 'user ' || events.user_id || ' looks like a bot: up to ' || excluded.max_events_per_minute
            || ' events in a minute, ' || coalesce(excluded.max_views_per_session, 0) || ' views in a session'
        ELSE 'user ' || events.user_id || ' is not in the user sample'
    END AS detail
FROM distinct_events AS events
JOIN excluded_users AS excluded USING (user_id)
UNION ALL
-- DuckDB logs one reject entry per error, and a line can have several: one row per line here.
SELECT
    any_value(scans.file_path) AS source_file,
    NULL::BIGINT AS drop_row,
    errors.line AS line,
    CASE WHEN bool_or(errors.error_type IN ('INVALID ENCODING', 'INVALID UNICODE')) THEN 'invalid_utf8' ELSE 'malformed_line' END AS reason,
    arg_min(errors.error_message, errors.column_idx) || ': ' || coalesce(any_value(errors.csv_line), '') AS detail
FROM csv_rejects AS errors
JOIN csv_reject_scans AS scans USING (scan_id, file_id)
GROUP BY errors.scan_id, errors.file_id, errors.line;

CREATE OR REPLACE TABLE accounting AS
SELECT
    (SELECT count(*) FROM staged_events)
        + (SELECT count(*) FROM (SELECT DISTINCT scan_id, file_id, line FROM csv_rejects)) AS raw_rows,
    (SELECT count(*) FROM events_clean) AS cleaned_rows,
    (SELECT count(*) FROM quarantine) AS quarantined_rows,
    (SELECT coalesce(sum(copies - 1), 0) FROM distinct_events) AS duplicate_rows,
    (SELECT count(DISTINCT user_id) FROM events_clean) AS users;
