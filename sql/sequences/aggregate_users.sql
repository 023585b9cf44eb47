-- Sequences of one bucket of users (user_summaries.bucket = $bucket): their shard, summary columns
-- and the events marked in_sequence (the newest maxSequenceLength before the holdout), oldest
-- first (position is the event's 1-based place in the user's whole ordered history), in
-- row_in_shard order. shardUsers writes each bucket straight to Parquet: DuckDB's grouped list
-- aggregates do not spill to disk, so all users at once would not fit the memory limit on large
-- drops.
-- Needs: user_summaries, events_clean (the run database: clean/build_user_summaries.sql,
-- clean/clean_events.sql); parameter $bucket. A query without a closing semicolon: shard-users.ts
-- writes it with COPY (...) TO <file>, whose target DuckDB cannot bind.
WITH bucket_users AS (
    SELECT * FROM user_summaries WHERE bucket = $bucket
),
collected AS (
    SELECT
        user_id,
        list(struct_pack(position, event_time, event_type, item_id, category_id, category_code, brand, title, query_text, price, session_key, gap_s)) AS events
    FROM events_clean
    SEMI JOIN bucket_users USING (user_id)
    WHERE in_sequence
    GROUP BY user_id
)
SELECT
    bucket_users.* EXCLUDE (bucket),
    -- Ordered by position through a sort of the positions alone: sorting the structs would
    -- compare their strings too.
    list_select(collected.events, list_grade_up(list_transform(collected.events, e -> e.position))) AS events
FROM bucket_users
JOIN collected USING (user_id)
ORDER BY row_in_shard
