-- Adapter: RetailRocket events.csv. Header: timestamp,visitorid,event,itemid,transactionid
-- event: view / addtocart / transaction; timestamp: Unix milliseconds. No prices, no categories here.
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
    nullif(trim(visitorid), '') AS user_id,
    nullif(trim(itemid), '') AS item_id,
    NULL::VARCHAR AS category_id,
    NULL::VARCHAR AS category_code,
    NULL::VARCHAR AS brand,
    event AS event_type_raw,
    CASE lower(trim(event))
        WHEN 'view' THEN 'view'
        WHEN 'addtocart' THEN 'cart'
        WHEN 'transaction' THEN 'purchase'
    END AS event_type,
    "timestamp" AS event_time_raw,
    make_timestamp(TRY_CAST(trim("timestamp") AS BIGINT) * 1000) AS event_time,
    NULL::VARCHAR AS price_raw,
    NULL::DOUBLE AS price,
    NULL::VARCHAR AS session_id
FROM numbered;
