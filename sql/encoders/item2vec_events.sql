-- One row range [$from_row, $to_row) of a shard for the item2vec encoder: each user's id and, per
-- event oldest first, its item id, category (the path when the log has one, else the id) and event
-- type, as three lists. Reading only these fields costs about 40% of reading the event structs.
-- In shard row order.
-- Needs: parameters $shard_path (a shard file, docs/DATA-CONTRACTS.md), $from_row, $to_row.
SELECT
    user_id,
    [e.item_id FOR e IN events] AS items,
    [coalesce(e.category_code, e.category_id) FOR e IN events] AS categories,
    [e.event_type FOR e IN events] AS event_types
FROM (
    -- Structs sort by their first field, the event's position.
    SELECT user_id, row_in_shard, list_sort(events) AS events
    FROM read_parquet($shard_path)
    WHERE row_in_shard >= $from_row AND row_in_shard < $to_row
)
ORDER BY row_in_shard
