-- Adapter: REES46 / Open CDP event logs.
-- Header: [unnamed pandas index,] event_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session
-- Reads every column as text so nothing is lost to type inference; typing happens below with TRY_
-- casts, and clean_events.sql quarantines the rows whose casts fail. Malformed lines (wrong field
-- count) land in csv_rejects with their line number.
CREATE OR REPLACE TEMP TABLE staged_events AS
WITH raw_rows AS (
    SELECT *
    FROM read_csv(
        $files,
        header = true, all_varchar = true, delim = ',', quote = '"', filename = 'source_file',
        store_rejects = true,
        rejects_table = 'csv_rejects', rejects_scan = 'csv_reject_scans'
    )
),
numbered AS (
    SELECT row_number() OVER () AS drop_row, * FROM raw_rows
)
SELECT
    source_file,
    drop_row,
    -- pandas wrote whole-number ids as floats ("562076640.0") in one month; strip the ".0".
    nullif(regexp_replace(trim(user_id), '\.0+$', ''), '') AS user_id,
    nullif(regexp_replace(trim(product_id), '\.0+$', ''), '') AS item_id,
    nullif(regexp_replace(trim(category_id), '\.0+$', ''), '') AS category_id,
    nullif(trim(category_code), '') AS category_code,
    nullif(trim(brand), '') AS brand,
    event_type AS event_type_raw,
    CASE lower(trim(event_type))
        WHEN 'view' THEN 'view'
        WHEN 'cart' THEN 'cart'
        WHEN 'remove_from_cart' THEN 'remove_from_cart'
        WHEN 'purchase' THEN 'purchase'
    END AS event_type,
    event_time AS event_time_raw,
    try_strptime(trim(event_time), '%Y-%m-%d %H:%M:%S UTC') AS event_time,
    price AS price_raw,
    TRY_CAST(trim(price) AS DOUBLE) AS price,
    nullif(trim(user_session), '') AS session_id
FROM numbered;
