-- Stages one file of a drop: its rows, typed and mapped to the canonical event columns, are
-- appended to staged_events, and its path to staged_files. Run once per file, in the drop's order
-- (drop_row follows the files; see staging_tables.sql).
-- Needs:
--   raw_rows(file)    table macro: the file read with the format's reader, every canonical column
--                     as VARCHAR (activities/ingest/raw-source.ts generates it from the format's
--                     mapping, sql/ingest/formats/*.json or a user's mapping file)
--   event_type_vocabulary(raw, canonical), staged_files, staged_events (staging_tables.sql)
--   the macro trimmed(text) (macros.sql)
--   parameters $file, $file_index (the file's place in the drop), $time_unit ('s', 'ms', 'iso' or
--   'format'), $time_format (strptime, used when $time_unit = 'format'), $window_start,
--   $window_end ('' for no bound)
-- Appends to: staged_files, staged_events.
-- Nothing is filtered here: each row gets its first failing check as quarantine_reason (NULL when
-- it passes), and clean_events.sql routes it. The raw text of the checked fields is kept for
-- quarantined rows only (their detail quotes it): for the rest it would only cost memory.
INSERT INTO staged_files VALUES ($file_index, $file);

INSERT INTO staged_events BY NAME
WITH typed AS (
SELECT
    -- Whole-number ids written as floats by pandas ("562076640.0") lose the ".0"; ids stay text.
    nullif(CASE WHEN contains(raw.user_id, '.') THEN regexp_replace(trim(raw.user_id), '\.0+$', '') ELSE trimmed(raw.user_id) END, '') AS user_id,
    nullif(CASE WHEN contains(raw.item_id, '.') THEN regexp_replace(trim(raw.item_id), '\.0+$', '') ELSE trimmed(raw.item_id) END, '') AS item_id,
    nullif(CASE WHEN contains(raw.category_id, '.') THEN regexp_replace(trim(raw.category_id), '\.0+$', '') ELSE trimmed(raw.category_id) END, '') AS category_id,
    nullif(trimmed(raw.category_code), '') AS category_code,
    nullif(trimmed(raw.brand), '') AS brand,
    nullif(trimmed(raw.title), '') AS title,
    nullif(trimmed(raw.query_text), '') AS query_text,
    raw.event_type AS event_type_raw,
    vocabulary.canonical AS event_type,
    raw.event_time AS event_time_raw,
    CASE $time_unit
        WHEN 's' THEN to_timestamp(TRY_CAST(trimmed(raw.event_time) AS BIGINT))::TIMESTAMP
        WHEN 'ms' THEN make_timestamp(TRY_CAST(trimmed(raw.event_time) AS BIGINT) * 1000)
        WHEN 'iso' THEN TRY_CAST(trimmed(raw.event_time) AS TIMESTAMPTZ)::TIMESTAMP
        ELSE try_strptime(trimmed(raw.event_time), $time_format)
    END AS event_time,
    raw.price AS price_raw,
    TRY_CAST(trimmed(raw.price) AS DOUBLE) AS price,
    nullif(trimmed(raw.session_id), '') AS session_id
FROM raw_rows($file) AS raw
LEFT JOIN event_type_vocabulary AS vocabulary ON vocabulary.raw = lower(trimmed(raw.event_type))),
classified AS (
SELECT
    *,
    CASE
        WHEN user_id IS NULL THEN 'missing_user_id'
        WHEN item_id IS NULL THEN 'missing_item_id'
        WHEN event_type IS NULL THEN 'unknown_event_type'
        WHEN event_time IS NULL THEN 'bad_timestamp'
        WHEN event_time < CAST(nullif($window_start, '') AS TIMESTAMP) THEN 'outside_time_window'
        WHEN event_time >= CAST(nullif($window_end, '') AS TIMESTAMP) THEN 'outside_time_window'
        WHEN nullif(trimmed(price_raw), '') IS NOT NULL AND price IS NULL THEN 'bad_price'
        WHEN price <= 0 THEN 'non_positive_price'
    END AS quarantine_reason
FROM typed)
SELECT
    CAST($file_index AS INTEGER) AS file_index,
    user_id, item_id, category_id, category_code, brand, title, query_text, event_type, event_time, price, session_id,
    quarantine_reason,
    CASE WHEN quarantine_reason IS NOT NULL THEN event_type_raw END AS event_type_raw,
    CASE WHEN quarantine_reason IS NOT NULL THEN event_time_raw END AS event_time_raw,
    CASE WHEN quarantine_reason IS NOT NULL THEN price_raw END AS price_raw
FROM classified;
