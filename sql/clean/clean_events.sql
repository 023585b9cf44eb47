-- Cleaning, shared by every format. Every staged row ends up in exactly one place: events_clean,
-- quarantine (with a reason), or counted as an exact duplicate of an earlier row
-- (events_clean.copies - 1). Malformed CSV lines join the quarantine from csv_rejects. The
-- accounting table must add up (clean-logs.ts checks it); clean_events.checks.json holds the
-- columns' contracts.
-- Needs:
--   staged_events, staged_rows (staged_events with drop_row), staged_files
--     (ingest/staging_tables.sql, filled by ingest/stage_events.sql)
--   csv_rejects, csv_reject_scans (the CSV reader's log of the lines it could not parse; for other
--     readers, empty ones from ingest/empty_csv_rejects.sql)
--   the macro md5_mod(text, n) (macros.sql)
--   parameters $session_gap_s, $bot_max_events_per_minute, $bot_max_views_per_session,
--     $sample_per_10000, $holdout_mode, $holdout_last_n, $holdout_cutoff, $min_events_per_user,
--     $max_sequence_length
-- Creates: events_clean, quarantine, accounting (stored); user_facts (temporary: the per-user lists
-- build_user_summaries.sql reads), copy_mismatches (temporary, read by clean-logs.ts), the type
-- event_kind. Drops the staged rows and its own intermediate tables when done.
--
-- Why per-user lists: every per-user question (duplicates, order, gaps, sessions, bots, holdout,
-- summaries) is answered on one small, fixed-width list per user, built in one GROUP BY. The
-- strings (ids, codes, brands) stay in staged_events and are joined once, by drop_row, when
-- events_clean is written. Window functions over all events, or lists of full events, cost
-- several times more (docs/BENCHMARKS.md, clean).

-- 1. Row-level checks happened at staging (quarantine_reason; see stage_events.sql).

CREATE OR REPLACE TEMP TYPE event_kind AS ENUM ('view', 'click', 'cart', 'remove_from_cart', 'fav', 'purchase', 'search');

-- 2. Each user's events in order, exact duplicates removed.
-- Exact copies share the event time and a hash of every other canonical column (content), so in
-- a list sorted on (event_time, content, drop_row) they sit next to each other, first copy first.
-- The copies are checked field by field below (step 3), so a hash collision cannot merge two
-- different events silently. The kept events are then sorted on (event_time, drop_row): time, with
-- the drop order as the stable tie-break (many events share a second).
CREATE OR REPLACE TEMP TABLE user_orders AS
WITH copies_together AS (
    SELECT
        user_id,
        list_sort(list(struct_pack(
            event_time,
            content := hash(item_id, category_id, category_code, brand, title, query_text, event_type, price, session_id),
            drop_row,
            kind := event_type::event_kind,
            price,
            item := hash(item_id),
            category := CASE WHEN category_id IS NOT NULL THEN hash(category_id) END,
            session := CASE WHEN session_id IS NOT NULL THEN hash(session_id) END
        ))) AS rows
    FROM staged_rows
    WHERE quarantine_reason IS NULL
    GROUP BY user_id
),
first_copies AS (
    SELECT
        user_id,
        rows,
        list_filter(range(1, len(rows) + 1),
            i -> i = 1 OR rows[i].event_time != rows[i - 1].event_time OR rows[i].content != rows[i - 1].content) AS firsts
    FROM copies_together
)
SELECT
    user_id,
    list_sort(list_transform(firsts, (first, k) -> struct_pack(
        event_time := rows[first].event_time,
        drop_row := rows[first].drop_row,
        kind := rows[first].kind,
        price := rows[first].price,
        item := rows[first].item,
        category := rows[first].category,
        session := rows[first].session,
        copies := coalesce(firsts[k + 1], len(rows) + 1) - first
    ))) AS events,
    -- (removed copy, kept copy) pairs, for the field-by-field check (most users have none).
    CASE WHEN len(firsts) < len(rows) THEN flatten(list_transform(firsts, (first, k) -> list_transform(
        range(first + 1, coalesce(firsts[k + 1], len(rows) + 1)),
        i -> struct_pack(copy := rows[i].drop_row, kept := rows[first].drop_row)
    ))) ELSE [] END AS removed_copies
FROM first_copies;

-- 3. A removed copy must equal its kept copy in every canonical column; anything else is a hash
-- collision, and cleaning stops rather than lose an event (clean-logs.ts reads this count).
CREATE OR REPLACE TEMP TABLE copy_mismatches AS
WITH pairs AS (
    SELECT unnest(removed_copies, recursive := true) FROM user_orders WHERE len(removed_copies) > 0
)
SELECT pairs.copy, pairs.kept
FROM pairs
JOIN staged_rows AS copy ON copy.drop_row = pairs.copy
JOIN staged_rows AS kept ON kept.drop_row = pairs.kept
WHERE (copy.user_id, copy.item_id, copy.category_id, copy.category_code, copy.brand, copy.title, copy.query_text,
       copy.event_type, copy.event_time, copy.price, copy.session_id)
    IS DISTINCT FROM
      (kept.user_id, kept.item_id, kept.category_id, kept.category_code, kept.brand, kept.title, kept.query_text,
       kept.event_type, kept.event_time, kept.price, kept.session_id);

-- 4. Per user: gaps, sessions, bot evidence, sampling, holdout size.
CREATE OR REPLACE TEMP TABLE user_facts AS
WITH gapped AS (
    SELECT
        user_id,
        events,
        len(events) AS n,
        len(removed_copies) AS duplicates,
        list_transform(events, (e, i) -> CASE WHEN i > 1 THEN epoch(e.event_time) - epoch(events[i - 1].event_time) END) AS gaps
    FROM user_orders
),
sessioned AS (
    SELECT
        *,
        -- Without the log's session id, a new session starts after a gap longer than $session_gap_s.
        list_filter(range(1, n + 1), i -> i = 1 OR gaps[i] > $session_gap_s) AS session_starts
    FROM gapped
),
numbered AS (
    SELECT
        * EXCLUDE (session_starts),
        -- Session number of every event: session k covers session_starts[k] up to the next start.
        flatten(list_transform(session_starts,
            (start, k) -> list_resize([k], coalesce(session_starts[k + 1], n + 1) - start, k))) AS session_numbers,
        -- Bot evidence is only worth computing for users with more events than a threshold.
        n > least(
            CASE WHEN $bot_max_events_per_minute > 0 THEN $bot_max_events_per_minute ELSE n END,
            CASE WHEN $bot_max_views_per_session > 0 THEN $bot_max_views_per_session ELSE n END
        ) AS bot_suspect
    FROM sessioned
),
judged AS (
    SELECT
        *,
        CASE WHEN bot_suspect THEN
            list_max(map_values(list_aggregate(list_transform(events, e -> date_trunc('minute', e.event_time)), 'histogram')))
        END AS max_events_per_minute,
        CASE WHEN bot_suspect THEN coalesce(
            list_max(map_values(list_aggregate(
                list_transform(list_filter(events, e -> e.kind = 'view' AND e.session IS NOT NULL), e -> e.session), 'histogram'))), 0)
        END AS max_views_per_session,
        -- Events kept for segmentation. A user keeps all of them (no holdout) when the holdout
        -- would leave fewer than $min_events_per_user. ('time' and 'last_purchase' hold out the
        -- events at or after a moment; events in the same second as it count as after it.)
        CASE $holdout_mode
            WHEN 'last_n' THEN n - $holdout_last_n
            WHEN 'none' THEN n
            WHEN 'time' THEN len(list_filter(events, e -> e.event_time < CAST(nullif($holdout_cutoff, '') AS TIMESTAMP)))
            WHEN 'last_purchase' THEN len(list_filter(events,
                e -> e.event_time < list_max(list_transform(list_filter(events, p -> p.kind = 'purchase'), p -> p.event_time))))
        END AS kept_if_held_out
    FROM numbered
)
SELECT
    * EXCLUDE (kept_if_held_out, bot_suspect),
    CASE
        WHEN $bot_max_events_per_minute > 0 AND max_events_per_minute > $bot_max_events_per_minute THEN 'bot_user'
        WHEN $bot_max_views_per_session > 0 AND max_views_per_session > $bot_max_views_per_session THEN 'bot_user'
        WHEN $sample_per_10000 < 10000 AND md5_mod(user_id, 10000) >= $sample_per_10000 THEN 'sampled_out'
    END AS exclusion,
    CASE WHEN kept_if_held_out >= $min_events_per_user THEN kept_if_held_out ELSE n END AS training_count
FROM judged;

-- 5. One row per kept event with its place in the user's history. in_sequence: among the newest
-- $max_sequence_length events before the holdout of a user who has a sequence.
CREATE OR REPLACE TEMP TABLE event_facts AS
SELECT
    user_id,
    event.drop_row,
    event.copies,
    position,
    gap_s,
    session_number,
    training_count,
    training_count >= $min_events_per_user AS sequenced
FROM (
    -- Unnests of lists of one length in one SELECT line up element by element.
    SELECT
        user_id,
        unnest(events) AS event,
        CAST(generate_subscripts(events, 1) AS BIGINT) AS position,
        unnest(gaps) AS gap_s,
        unnest(session_numbers) AS session_number,
        training_count
    FROM user_facts
    WHERE exclusion IS NULL
);

CREATE OR REPLACE TABLE events_clean AS
SELECT
    staged.user_id, staged.item_id, staged.category_id, staged.category_code, staged.brand, staged.title, staged.query_text,
    staged.event_type, staged.event_time, staged.price, staged.session_id,
    files.source_file,
    staged.drop_row,
    facts.copies,
    facts.position,
    facts.gap_s,
    -- The log's own session id wins; otherwise the session number from the gaps.
    coalesce(staged.session_id, staged.user_id || '#' || facts.session_number) AS session_key,
    facts.position > facts.training_count AS is_holdout,
    facts.sequenced AND facts.position <= facts.training_count
        AND facts.position > facts.training_count - $max_sequence_length AS in_sequence
FROM event_facts AS facts
JOIN staged_rows AS staged USING (drop_row)
JOIN staged_files AS files USING (file_index);

CREATE OR REPLACE TABLE quarantine AS
SELECT
    files.source_file,
    staged.drop_row,
    NULL::BIGINT AS line,
    staged.quarantine_reason AS reason,
    CASE staged.quarantine_reason
        WHEN 'missing_user_id' THEN 'user id is empty'
        WHEN 'missing_item_id' THEN 'item id is empty'
        WHEN 'unknown_event_type' THEN 'event type ' || coalesce('"' || staged.event_type_raw || '"', 'is empty') || ' is not in the format''s vocabulary'
        WHEN 'bad_timestamp' THEN 'timestamp ' || coalesce('"' || staged.event_time_raw || '"', 'is empty') || ' does not parse'
        WHEN 'outside_time_window' THEN 'timestamp ' || staged.event_time_raw || ' is outside the configured time window'
        WHEN 'bad_price' THEN 'price "' || staged.price_raw || '" is not a number'
        WHEN 'non_positive_price' THEN 'price ' || staged.price_raw || ' is not positive'
    END AS detail
FROM staged_rows AS staged
JOIN staged_files AS files USING (file_index)
WHERE staged.quarantine_reason IS NOT NULL
UNION ALL
-- Every kept copy of an excluded user's events counts once here; its duplicates were counted already.
SELECT
    files.source_file,
    excluded.drop_row,
    NULL::BIGINT AS line,
    excluded.reason,
    CASE excluded.reason
        WHEN 'bot_user' THEN 'user ' || excluded.user_id || ' looks like a bot: up to ' || excluded.max_events_per_minute
            || ' events in a minute, ' || excluded.max_views_per_session || ' views in a session'
        ELSE 'user ' || excluded.user_id || ' is not in the user sample'
    END AS detail
FROM (
    SELECT user_id, reason, max_events_per_minute, max_views_per_session, event.drop_row
    FROM (
        SELECT user_id, exclusion AS reason, max_events_per_minute, max_views_per_session, unnest(events) AS event
        FROM user_facts
        WHERE exclusion IS NOT NULL
    )
) AS excluded
JOIN staged_rows AS staged USING (drop_row)
JOIN staged_files AS files USING (file_index)
UNION ALL
-- DuckDB logs one reject entry per error, and a line can have several: one row per line here.
SELECT
    any_value(scans.file_path) AS source_file,
    NULL::BIGINT AS drop_row,
    errors.line AS line,
    CASE WHEN bool_or(errors.error_type IN ('INVALID ENCODING', 'INVALID UNICODE')) THEN 'invalid_utf8' ELSE 'malformed_line' END AS reason,
    arg_min(errors.error_message, errors.column_idx) || ': ' || coalesce(any_value(errors.csv_line), '') AS detail
FROM csv_rejects AS errors
JOIN csv_reject_scans AS scans USING (scan_id, file_id)
GROUP BY errors.scan_id, errors.file_id, errors.line;

CREATE OR REPLACE TABLE accounting AS
SELECT
    (SELECT count(*) FROM staged_events)
        + (SELECT count(*) FROM (SELECT DISTINCT scan_id, file_id, line FROM csv_rejects)) AS raw_rows,
    (SELECT count(*) FROM events_clean) AS cleaned_rows,
    (SELECT count(*) FROM quarantine) AS quarantined_rows,
    (SELECT coalesce(sum(duplicates), 0) FROM user_facts) AS duplicate_rows,
    (SELECT count(*) FROM user_facts WHERE exclusion IS NULL) AS users;

-- The staged rows and per-event facts are in events_clean and quarantine now; the user summaries
-- (build_user_summaries.sql) get the memory back.
DROP VIEW staged_rows;
DROP TABLE staged_events;
DROP TABLE event_facts;
DROP TABLE user_orders;
