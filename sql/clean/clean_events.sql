-- Cleaning, shared by every format adapter (they all produce staged_events).
-- Every staged row ends up in exactly one place: events_clean, quarantine (with a reason), or
-- counted as an exact duplicate of an earlier row. Malformed CSV lines join the quarantine from
-- csv_rejects. accounting.sql checks that the counts add up.
CREATE OR REPLACE TABLE classified_events AS
WITH checked AS (
    SELECT
        *,
        CASE
            WHEN user_id IS NULL THEN 'missing_user_id'
            WHEN item_id IS NULL THEN 'missing_item_id'
            WHEN event_type IS NULL THEN 'unknown_event_type'
            WHEN event_time IS NULL THEN 'bad_timestamp'
            WHEN nullif(trim(price_raw), '') IS NOT NULL AND price IS NULL THEN 'bad_price'
            WHEN price IS NOT NULL AND price <= 0 THEN 'non_positive_price'
        END AS quarantine_reason
    FROM staged_events
)
SELECT
    *,
    -- The first copy of an event (in drop order) is kept; later identical copies are duplicates.
    row_number() OVER (
        PARTITION BY user_id, item_id, category_id, category_code, brand, event_type, event_time, price, session_id
        ORDER BY drop_row
    ) AS copy_number
FROM checked;

CREATE OR REPLACE TABLE events_clean AS
SELECT
    user_id, item_id, category_id, category_code, brand, event_type, event_time, price, session_id,
    source_file, drop_row
FROM classified_events
WHERE quarantine_reason IS NULL AND copy_number = 1;

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
        WHEN 'bad_price' THEN 'price "' || price_raw || '" is not a number'
        WHEN 'non_positive_price' THEN 'price ' || price_raw || ' is not positive'
    END AS detail
FROM classified_events
WHERE quarantine_reason IS NOT NULL
UNION ALL
SELECT
    scans.file_path AS source_file,
    NULL::BIGINT AS drop_row,
    errors.line AS line,
    'malformed_line' AS reason,
    errors.error_message || ': ' || coalesce(errors.csv_line, '') AS detail
FROM csv_rejects AS errors
JOIN csv_reject_scans AS scans USING (scan_id, file_id);

CREATE OR REPLACE TABLE accounting AS
SELECT
    (SELECT count(*) FROM staged_events) + (SELECT count(*) FROM csv_rejects) AS raw_rows,
    (SELECT count(*) FROM events_clean) AS cleaned_rows,
    (SELECT count(*) FROM quarantine) AS quarantined_rows,
    (SELECT count(*) FROM classified_events WHERE quarantine_reason IS NULL AND copy_number > 1) AS duplicate_rows,
    (SELECT count(DISTINCT user_id) FROM events_clean) AS users;
