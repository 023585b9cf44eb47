-- What the top-K metrics need from one recommender's lists (activities/metrics/ranking.ts,
-- scoreHitRanks), so the lists themselves never leave DuckDB: per evaluated user (by user_id) the
-- number of relevant items and the ranks (1-based, ascending) of the recommended items that are
-- relevant. Needs: hits(user_id, rank) (popular_hits.sql, or a random list SEMI JOIN relevant), relevant, eval_users.
SELECT u.user_id, u.segment, u.buys, r.n_relevant, coalesce(h.hit_ranks, []) AS hit_ranks
FROM eval_users AS u
JOIN (SELECT user_id, count(*) AS n_relevant FROM relevant GROUP BY user_id) AS r USING (user_id)
LEFT JOIN (
    SELECT user_id, list(rank ORDER BY rank) AS hit_ranks
    FROM hits
    GROUP BY user_id
) AS h USING (user_id)
ORDER BY u.user_id;
