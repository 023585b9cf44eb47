-- The users a TF-IDF model is fitted on, with their documents (tfidf_document in macros.sql): up to
-- $max_users per shard, picked by a hash of the id (shards are already hash-partitioned; this keeps
-- the sample independent of id order).
-- Needs: parameters $shard_path (a shard file, docs/DATA-CONTRACTS.md), $max_users.
SELECT user_id, tfidf_document(events) AS document
FROM read_parquet($shard_path)
ORDER BY md5(user_id), user_id
LIMIT $max_users
