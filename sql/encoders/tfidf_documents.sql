-- One row range [$from_row, $to_row) of a shard: each user's id and TF-IDF document
-- (tfidf_document in macros.sql), in shard row order.
-- Needs: parameters $shard_path (a shard file, docs/DATA-CONTRACTS.md), $from_row, $to_row.
SELECT user_id, tfidf_document(events) AS document
FROM read_parquet($shard_path)
WHERE row_in_shard >= $from_row AND row_in_shard < $to_row
ORDER BY row_in_shard
