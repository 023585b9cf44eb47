-- What sets each segment apart: categories, brands and items its users interacted with far more
-- often than the population did. lift = (share of the segment's users with the term) / (share of
-- all segmented users with it); terms seen by fewer than $min_users users of the segment are left
-- out (a lift from two users is noise), and so are terms with lift at most 1: a segment whose
-- users chose nothing more often than the population has no distinctive terms, not its least
-- under-represented ones.
-- Needs: the run database attached as `run` (run.sequences), segments(user_id, segment);
-- parameters $min_users, $top.
WITH events AS (
    SELECT user_id, e.item_id, coalesce(e.category_code, e.category_id) AS category, e.brand
    FROM (SELECT user_id, unnest(events) AS e FROM run.sequences)
),
terms AS (
    SELECT DISTINCT user_id, 'category' AS kind, category AS term FROM events WHERE category IS NOT NULL
    UNION ALL SELECT DISTINCT user_id, 'brand', brand FROM events WHERE brand IS NOT NULL
    UNION ALL SELECT DISTINCT user_id, 'item', item_id FROM events WHERE item_id IS NOT NULL
),
segment_terms AS (
    SELECT s.segment, t.kind, t.term, count(*) AS segment_users
    FROM terms AS t JOIN segments AS s USING (user_id)
    GROUP BY ALL
),
population_terms AS (
    SELECT kind, term, sum(segment_users) AS population_users FROM segment_terms GROUP BY ALL
),
sizes AS (SELECT segment, count(*) AS users FROM segments GROUP BY segment),
total AS (SELECT count(*) AS users FROM segments),
scored AS (
    SELECT st.segment, st.kind, st.term, st.segment_users,
           st.segment_users / sizes.users AS segment_share,
           pt.population_users / total.users AS population_share,
           (st.segment_users / sizes.users) / (pt.population_users / total.users) AS lift
    FROM segment_terms AS st
    JOIN sizes USING (segment)
    JOIN population_terms AS pt USING (kind, term)
    CROSS JOIN total
    WHERE st.segment_users >= $min_users
)
SELECT segment, kind, term, segment_users, segment_share, population_share, lift
FROM (SELECT *, row_number() OVER (PARTITION BY segment, kind ORDER BY lift DESC, segment_users DESC, term) AS rank FROM scored)
WHERE rank <= $top AND lift > 1
ORDER BY segment, kind, rank;
