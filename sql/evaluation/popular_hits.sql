-- "Segment -> recommend", measured without writing the lists down: each evaluated user is
-- recommended the items most popular among the users of their segment (of everyone when $global:
-- the global-popularity baseline), ranked by how many of those users interacted with the item
-- (ties: item id), skipping the items the user has already seen when $exclude_seen; the top $k_max
-- form the list. The lists themselves (k_max rows per user, 2*10^7 at 10^6 users, and an anti-join
-- of each against the seen items) are never built; what the metrics need follows from set
-- operations on the seen and held-out items:
--   * an item at popularity rank r in the user's group sits at position r - c in the user's list,
--     where c = how many items the user has seen among the group's first r - 1 (when $exclude_seen),
--     and is in the list when that position is at most k_max and the user has not seen it;
--   * so a held-out item's hit position needs only the user's seen items ranked above it (hits), and
--     an item's best position over all users (coverage) needs, per group and rank, the largest c of
--     any user who has not seen that item. Each user's seen ranks s_1 < ... < s_m cut the ranks into
--     gaps (s_j, s_j+1) in which c = j; users with the same gaps are the same for this purpose.
-- The same numbers as materializing the lists (test/unit/downstream-scale.test.ts keeps the old
-- implementation as the reference).
-- Needs: segments(user_id, segment); seen, relevant, eval_users (prepare_downstream.sql);
-- parameters $global, $exclude_seen, $k_max.
-- Creates: hits(user_id, rank), best_ranks(item_id, best) (temporary; ranking_hits.sql reads them).

-- A user loses at most n_seen items to the exclusion, so no list reaches past rank k_max + n_seen.
CREATE OR REPLACE TEMP TABLE user_groups AS
SELECT user_id, CASE WHEN $global THEN 0 ELSE segment END AS grp,
       $k_max + CASE WHEN $exclude_seen THEN n_seen ELSE 0 END AS reach
FROM eval_users;

CREATE OR REPLACE TEMP TABLE group_ranks AS
WITH popularity AS (
    SELECT CASE WHEN $global THEN 0 ELSE g.segment END AS grp, seen.item_id, count(*) AS users
    FROM seen JOIN segments AS g USING (user_id)
    GROUP BY ALL
),
ranked AS (
    SELECT grp, item_id, row_number() OVER (PARTITION BY grp ORDER BY users DESC, item_id) AS popularity_rank
    FROM popularity
)
SELECT * FROM ranked
WHERE popularity_rank <= (SELECT max(reach) FROM user_groups);

-- The ranks of each user's seen items within their reach (none when seen items stay in the lists).
CREATE OR REPLACE TEMP TABLE seen_ranks AS
SELECT u.user_id, r.popularity_rank AS seen_rank
FROM seen
JOIN user_groups AS u USING (user_id)
JOIN group_ranks AS r ON r.grp = u.grp AND r.item_id = seen.item_id
WHERE $exclude_seen AND r.popularity_rank <= u.reach;

CREATE OR REPLACE TEMP TABLE hits AS
WITH held_out AS (
    SELECT rel.user_id, r.popularity_rank
    FROM relevant AS rel
    JOIN user_groups AS u USING (user_id)
    JOIN group_ranks AS r ON r.grp = u.grp AND r.item_id = rel.item_id
    WHERE r.popularity_rank <= u.reach
      AND NOT EXISTS (SELECT 1 FROM seen_ranks AS s WHERE s.user_id = rel.user_id AND s.seen_rank = r.popularity_rank)
)
SELECT h.user_id, h.popularity_rank - count(s.seen_rank) AS rank
FROM held_out AS h
LEFT JOIN seen_ranks AS s ON s.user_id = h.user_id AND s.seen_rank < h.popularity_rank
GROUP BY h.user_id, h.popularity_rank
HAVING h.popularity_rank - count(s.seen_rank) <= $k_max;

CREATE OR REPLACE TEMP TABLE best_ranks AS
WITH cuts AS (
    -- Each user's gaps: from 0 (or a seen rank) to the next seen rank (or past the reach).
    SELECT u.grp, coalesce(s.seen_rank, 0) AS low,
           coalesce(lead(s.seen_rank) OVER (PARTITION BY u.user_id ORDER BY s.seen_rank NULLS FIRST), u.reach + 1) AS high,
           row_number() OVER (PARTITION BY u.user_id ORDER BY s.seen_rank NULLS FIRST) - 1 AS skipped
    FROM user_groups AS u
    LEFT JOIN (SELECT user_id, seen_rank FROM seen_ranks UNION ALL SELECT user_id, NULL FROM user_groups) AS s USING (user_id)
),
gaps AS (
    SELECT DISTINCT grp, low, high, skipped FROM cuts
)
SELECT r.item_id, min(r.popularity_rank - g.skipped) AS best
FROM gaps AS g
JOIN group_ranks AS r ON r.grp = g.grp AND r.popularity_rank > g.low AND r.popularity_rank < g.high
WHERE r.popularity_rank - g.skipped <= $k_max
GROUP BY r.item_id;
