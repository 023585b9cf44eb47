-- One row range [$from_row, $to_row) of a shard: each user's id and event list, in shard row order.
-- Needs: parameters $shard_path (a shard file, docs/DATA-CONTRACTS.md), $from_row, $to_row.
SELECT user_id, events
FROM read_parquet($shard_path)
WHERE row_in_shard >= $from_row AND row_in_shard < $to_row
ORDER BY row_in_shard
