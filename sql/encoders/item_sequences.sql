-- item2vec corpus input: the item and category sequences (oldest first) of up to $max_users users
-- of a shard, picked by a hash of the id (as the TF-IDF fit sample: independent of id order), in shard
-- row order. With every user of the shard in the sample this is every user in row order.
-- The category is the category path when the log has one, else the category id.
-- Needs: parameters $shard_path (a shard file, docs/DATA-CONTRACTS.md), $max_users.
SELECT
    [e.item_id FOR e IN events] AS items,
    [coalesce(e.category_code, e.category_id) FOR e IN events] AS categories
FROM (
    SELECT events, row_in_shard
    FROM read_parquet($shard_path)
    ORDER BY md5(user_id), user_id
    LIMIT $max_users
)
ORDER BY row_in_shard
