-- What the downstream evaluation needs that does not depend on the segmentation, computed once per
-- run (activities/evaluation/downstream-inputs.ts caches it as Parquet) instead of once per candidate:
-- at 10^6 users unnesting every sequence took about a minute per candidate.
-- Training interactions are the users' sequences (what the segmentation saw); relevant items are
-- the temporal holdout (docs/EVALUATION.md, "Downstream value").
-- Needs: the run database attached as `run` (run.sequences, run.holdout_events).
-- Creates: seen, catalogue, holdout_relevant, user_facts (temporary).
CREATE OR REPLACE TEMP TABLE seen AS
SELECT DISTINCT user_id, e.item_id AS item_id
FROM (SELECT user_id, unnest(events) AS e FROM run.sequences)
WHERE e.item_id IS NOT NULL;

CREATE OR REPLACE TEMP TABLE catalogue AS
SELECT item_id, row_number() OVER (ORDER BY item_id) - 1 AS item_index
FROM (SELECT DISTINCT item_id FROM seen);

CREATE OR REPLACE TEMP TABLE holdout_relevant AS
SELECT DISTINCT user_id, item_id
FROM run.holdout_events
WHERE item_id IS NOT NULL;

-- Per user with held-out items: how many items they have seen, and whether they buy in the holdout.
CREATE OR REPLACE TEMP TABLE user_facts AS
SELECT h.user_id,
       coalesce(s.n_seen, 0) AS n_seen,
       h.user_id IN (SELECT user_id FROM run.holdout_events WHERE event_type = 'purchase') AS buys
FROM (SELECT DISTINCT user_id FROM holdout_relevant) AS h
LEFT JOIN (SELECT user_id, count(*) AS n_seen FROM seen GROUP BY user_id) AS s USING (user_id);
