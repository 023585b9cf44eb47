-- Downstream evaluation inputs of one candidate, shared by every recommender.
-- Needs: seen, catalogue, holdout_relevant, user_facts (downstream_inputs.sql, or views of their
-- cached copies) and segments(user_id, segment) filled with the candidate's labels.
-- Creates: relevant, eval_users (temporary; recommend_*.sql and ranking_hits.sql read them).
-- Users that can be scored: segmented, with at least one held-out item.
CREATE OR REPLACE TEMP TABLE relevant AS
SELECT h.user_id, h.item_id
FROM holdout_relevant AS h
SEMI JOIN segments USING (user_id);

CREATE OR REPLACE TEMP TABLE eval_users AS
SELECT s.user_id, s.segment, f.n_seen, f.buys
FROM segments AS s
JOIN user_facts AS f USING (user_id);
