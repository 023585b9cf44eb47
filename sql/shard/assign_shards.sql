-- Stable user -> shard assignment: md5 of the id (not DuckDB's hash(), which may change between
-- versions), so a re-run puts every user in the same shard. row_in_shard lets embedding batches
-- read [from, to) ranges that Parquet's min/max statistics can skip to.
CREATE OR REPLACE TABLE sharded_sequences AS
SELECT
    CAST(md5_number(user_id) % $shard_count AS INTEGER) AS shard,
    CAST(row_number() OVER (PARTITION BY md5_number(user_id) % $shard_count ORDER BY user_id) - 1 AS BIGINT) AS row_in_shard,
    *
FROM sequences;
