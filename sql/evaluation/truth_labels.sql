-- Known segment labels for external metrics: a CSV or Parquet file with a user_id column and a
-- label column named `label` or `segment` (integers, or any text: mapped to integers here).
-- Needs: truth_raw(user_id, label), the file as read by activities/evaluation/external.ts (the
-- reader and the label column's name depend on the file, so that table is created there, with
-- the path bound).
SELECT CAST(user_id AS VARCHAR) AS user_id, dense_rank() OVER (ORDER BY CAST(label AS VARCHAR)) - 1 AS label
FROM truth_raw
WHERE user_id IS NOT NULL AND label IS NOT NULL
