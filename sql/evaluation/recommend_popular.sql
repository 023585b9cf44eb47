-- The lists spelled out: the reference implementation (test/helpers/downstream-reference.ts) uses
-- them; the pipeline computes the same hits and coverage without building them (popular_hits.sql).
-- "Segment -> recommend": each evaluated user gets the items most popular among the users of
-- their segment (of everyone when $global: the global-popularity baseline), ranked by how many of
-- those users interacted with the item (ties: item id), skipping items the user has already seen
-- when $exclude_seen. Returns the top $k_max per user as (user_id, item_id, rank), unordered.
-- Needs: segments(user_id, segment); seen, eval_users (prepare_downstream.sql); parameters
-- $global, $exclude_seen, $k_max.
WITH grouped AS (
    SELECT user_id, CASE WHEN $global THEN 0 ELSE segment END AS grp FROM segments
),
popularity AS (
    SELECT g.grp, seen.item_id, count(*) AS users
    FROM seen JOIN grouped AS g USING (user_id)
    GROUP BY g.grp, seen.item_id
),
ranked AS (
    SELECT grp, item_id, row_number() OVER (PARTITION BY grp ORDER BY users DESC, item_id) AS popularity_rank
    FROM popularity
),
candidates AS (
    -- A user can lose at most n_seen items to the exclusion, so k_max + n_seen candidates suffice.
    SELECT u.user_id, r.item_id, r.popularity_rank
    FROM eval_users AS u
    JOIN grouped AS g USING (user_id)
    JOIN ranked AS r ON r.grp = g.grp AND r.popularity_rank <= $k_max + CASE WHEN $exclude_seen THEN u.n_seen ELSE 0 END
    WHERE NOT $exclude_seen OR NOT EXISTS (SELECT 1 FROM seen WHERE seen.user_id = u.user_id AND seen.item_id = r.item_id)
)
SELECT user_id, item_id, rank
FROM (SELECT user_id, item_id, row_number() OVER (PARTITION BY user_id ORDER BY popularity_rank) AS rank FROM candidates)
WHERE rank <= $k_max;
