-- Random baseline: for each evaluated user, catalogue items drawn by a seeded hash of
-- (user, draw number), duplicates and (when $exclude_seen) seen items skipped, first $k_max kept (unordered).
-- Needs: seen, catalogue (prepare_downstream.sql), batch_users (the eval_users of this batch); parameters $seed, $exclude_seen,
-- $k_max.
WITH draws AS (
    SELECT u.user_id, d.draw,
           CAST(hash(u.user_id || ':' || d.draw || ':' || CAST($seed AS VARCHAR)) % CAST((SELECT count(*) FROM catalogue) AS UBIGINT) AS BIGINT) AS item_index
    FROM batch_users AS u, range(0, 3 * $k_max + 10) AS d(draw)
),
items AS (
    SELECT d.user_id, c.item_id, min(d.draw) AS first_draw
    FROM draws AS d JOIN catalogue AS c USING (item_index)
    WHERE NOT $exclude_seen OR NOT EXISTS (SELECT 1 FROM seen WHERE seen.user_id = d.user_id AND seen.item_id = c.item_id)
    GROUP BY d.user_id, c.item_id
)
SELECT user_id, item_id, rank
FROM (SELECT user_id, item_id, row_number() OVER (PARTITION BY user_id ORDER BY first_draw) AS rank FROM items)
WHERE rank <= $k_max;
