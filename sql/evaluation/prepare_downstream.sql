-- Downstream evaluation inputs, shared by every recommender of one candidate.
-- Training interactions are the users' sequences (what the segmentation saw); relevant items are
-- the temporal holdout (docs/EVALUATION.md, "Downstream value").
-- Needs: the run database attached as `run` (run.sequences, run.holdout_events) and
-- segments(user_id, segment) filled with the candidate's labels.
-- Creates: seen, catalogue, relevant, eval_users (temporary; recommend_*.sql read them).
CREATE OR REPLACE TEMP TABLE seen AS
SELECT DISTINCT user_id, e.item_id AS item_id
FROM (SELECT user_id, unnest(events) AS e FROM run.sequences)
WHERE e.item_id IS NOT NULL;

CREATE OR REPLACE TEMP TABLE catalogue AS
SELECT item_id, row_number() OVER (ORDER BY item_id) - 1 AS item_index
FROM (SELECT DISTINCT item_id FROM seen);

-- Users that can be scored: segmented, with at least one held-out item.
CREATE OR REPLACE TEMP TABLE relevant AS
SELECT DISTINCT h.user_id, h.item_id
FROM run.holdout_events AS h
JOIN segments USING (user_id)
WHERE h.item_id IS NOT NULL;

CREATE OR REPLACE TEMP TABLE eval_users AS
SELECT s.user_id, s.segment,
       coalesce((SELECT count(*) FROM seen WHERE seen.user_id = s.user_id), 0) AS n_seen,
       EXISTS (SELECT 1 FROM run.holdout_events h WHERE h.user_id = s.user_id AND h.event_type = 'purchase') AS buys
FROM segments AS s
WHERE s.user_id IN (SELECT user_id FROM relevant);
