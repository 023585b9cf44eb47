-- Stable user -> shard assignment: md5 of the id (not DuckDB's hash(), which may change between
-- versions), so a re-run puts every user in the same shard. The modulus is cast to UHUGEINT:
-- a bound integer parameter would otherwise turn the 128-bit hash into a DOUBLE, whose value is a
-- multiple of every small shard count. row_in_shard lets embedding batches read [from, to)
-- ranges that Parquet's min/max statistics can skip to.
CREATE OR REPLACE TABLE sharded_sequences AS
WITH assigned AS (
    SELECT CAST(md5_number(user_id) % CAST($shard_count AS UHUGEINT) AS INTEGER) AS shard, *
    FROM sequences
)
SELECT
    shard,
    CAST(row_number() OVER (PARTITION BY shard ORDER BY user_id) - 1 AS BIGINT) AS row_in_shard,
    * EXCLUDE (shard)
FROM assigned;
