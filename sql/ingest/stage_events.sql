-- Typing and mapping to the canonical event columns, for every format.
-- The raw_source placeholder below is replaced by the reader query that activities/ingest/raw-source.ts builds from
-- the format's mapping (sql/ingest/formats/*.json or a user's mapping file): source_file and every
-- canonical column as VARCHAR. It is the only generated part (column names from the
-- mapping, as quoted identifiers); values ($file, $time_unit, $time_format) are bound.
-- Expects the table event_type_vocabulary(raw, canonical).
-- Nothing is filtered here: each row gets its first failing check as quarantine_reason (NULL when
-- it passes), and clean_events.sql routes it.
CREATE OR REPLACE TEMP TABLE staged_events AS
WITH raw_source AS (
    {{raw_source}}
),
typed AS (
SELECT
    raw.source_file,
    -- Whole-number ids written as floats by pandas ("562076640.0") lose the ".0"; ids stay text.
    nullif(CASE WHEN contains(raw.user_id, '.') THEN regexp_replace(trim(raw.user_id), '\.0+$', '') ELSE trim(raw.user_id) END, '') AS user_id,
    nullif(CASE WHEN contains(raw.item_id, '.') THEN regexp_replace(trim(raw.item_id), '\.0+$', '') ELSE trim(raw.item_id) END, '') AS item_id,
    nullif(CASE WHEN contains(raw.category_id, '.') THEN regexp_replace(trim(raw.category_id), '\.0+$', '') ELSE trim(raw.category_id) END, '') AS category_id,
    nullif(trim(raw.category_code), '') AS category_code,
    nullif(trim(raw.brand), '') AS brand,
    nullif(trim(raw.title), '') AS title,
    nullif(trim(raw.query_text), '') AS query_text,
    raw.event_type AS event_type_raw,
    vocabulary.canonical AS event_type,
    raw.event_time AS event_time_raw,
    CASE $time_unit
        WHEN 's' THEN to_timestamp(TRY_CAST(trim(raw.event_time) AS BIGINT))::TIMESTAMP
        WHEN 'ms' THEN make_timestamp(TRY_CAST(trim(raw.event_time) AS BIGINT) * 1000)
        WHEN 'iso' THEN TRY_CAST(trim(raw.event_time) AS TIMESTAMPTZ)::TIMESTAMP
        ELSE try_strptime(trim(raw.event_time), $time_format)
    END AS event_time,
    raw.price AS price_raw,
    TRY_CAST(trim(raw.price) AS DOUBLE) AS price,
    nullif(trim(raw.session_id), '') AS session_id
FROM raw_source AS raw
LEFT JOIN event_type_vocabulary AS vocabulary ON vocabulary.raw = lower(trim(raw.event_type)))
SELECT
    *,
    CASE
        WHEN user_id IS NULL THEN 'missing_user_id'
        WHEN item_id IS NULL THEN 'missing_item_id'
        WHEN event_type IS NULL THEN 'unknown_event_type'
        WHEN event_time IS NULL THEN 'bad_timestamp'
        WHEN event_time < CAST(nullif($window_start, '') AS TIMESTAMP) THEN 'outside_time_window'
        WHEN event_time >= CAST(nullif($window_end, '') AS TIMESTAMP) THEN 'outside_time_window'
        WHEN nullif(trim(price_raw), '') IS NOT NULL AND price IS NULL THEN 'bad_price'
        WHEN price <= 0 THEN 'non_positive_price'
    END AS quarantine_reason
FROM typed;
