-- Adapter: Taobao UserBehavior (Tianchi). No header: user_id,item_id,category_id,behavior_type,timestamp
-- behavior_type: pv (page view) / cart / fav / buy; timestamp: Unix seconds. No prices, no text.
CREATE OR REPLACE TEMP TABLE staged_events AS
WITH raw_rows AS (
    SELECT *
    FROM read_csv(
        $files,
        header = false, all_varchar = true, delim = ',', quote = '"', filename = 'source_file',
        columns = {'user_id': 'VARCHAR', 'item_id': 'VARCHAR', 'category_id': 'VARCHAR', 'behavior_type': 'VARCHAR', 'timestamp': 'VARCHAR'},
        store_rejects = true, rejects_table = 'csv_rejects', rejects_scan = 'csv_reject_scans'
    )
),
numbered AS (
    SELECT row_number() OVER () AS drop_row, * FROM raw_rows
)
SELECT
    source_file,
    drop_row,
    nullif(trim(user_id), '') AS user_id,
    nullif(trim(item_id), '') AS item_id,
    nullif(trim(category_id), '') AS category_id,
    NULL::VARCHAR AS category_code,
    NULL::VARCHAR AS brand,
    behavior_type AS event_type_raw,
    CASE lower(trim(behavior_type))
        WHEN 'pv' THEN 'view'
        WHEN 'cart' THEN 'cart'
        WHEN 'fav' THEN 'fav'
        WHEN 'buy' THEN 'purchase'
    END AS event_type,
    "timestamp" AS event_time_raw,
    to_timestamp(TRY_CAST(trim("timestamp") AS BIGINT))::TIMESTAMP AS event_time,
    NULL::VARCHAR AS price_raw,
    NULL::DOUBLE AS price,
    NULL::VARCHAR AS session_id
FROM numbered;
