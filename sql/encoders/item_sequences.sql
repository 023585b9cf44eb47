-- item2vec corpus input: every user's item and category sequences (oldest first), in shard row order.
-- The category is the category path when the log has one, else the category id.
-- Needs: parameter $shard_path (a shard file, docs/DATA-CONTRACTS.md).
SELECT
    [e.item_id FOR e IN events] AS items,
    [coalesce(e.category_code, e.category_id) FOR e IN events] AS categories
FROM read_parquet($shard_path)
ORDER BY row_in_shard
