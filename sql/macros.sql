-- Macros shared by the SQL files. openDuckDB (lib/runtime/duckdb.ts) creates them in every connection it
-- opens, so any file may use them; define a macro here, never in another file or in TypeScript.
-- Creates: the temporary macros trimmed(text), md5_mod(text, n), tfidf_token(prefix, value) and
-- tfidf_document(events). Needs nothing.

-- trimmed(text): text without surrounding spaces. Trimming copies every string, and most values
-- have no surrounding spaces, so it tests first (ingest/stage_events.sql).
CREATE OR REPLACE TEMP MACRO trimmed(text) AS CASE WHEN starts_with(text, ' ') OR suffix(text, ' ') THEN trim(text) ELSE text END;

-- md5_mod(text, n): the 128-bit md5 number of text modulo n (< 2^32), the stable hash behind user
-- sampling (clean/clean_events.sql) and shards (clean/build_user_summaries.sql). md5_number(text)
-- % n is the same value, but a 128-bit modulo costs about 2 µs a row; here it is taken on the two
-- 64-bit halves (md5_number = lower * 2^64 + upper).
CREATE OR REPLACE TEMP MACRO md5_mod(text, n) AS (
    (md5_number_lower(text) % CAST(n AS UBIGINT)) * ((18446744073709551615::UBIGINT % CAST(n AS UBIGINT) + 1) % CAST(n AS UBIGINT))
    + md5_number_upper(text) % CAST(n AS UBIGINT)
) % CAST(n AS UBIGINT);

-- tfidf_document(events): a user's TF-IDF document (activities/encoders/tfidf/documents.ts splits it):
-- per event, oldest first, the tokens e:<event type>, c:<category path or id>, b:<brand> (the last two
-- when present and not empty), joined by chr(31), the unit separator. A token is one word (the
-- vectorizer counts adjacent pairs of words), so whitespace inside a value becomes '_', as does a
-- unit separator. One string per user: reading the event structs into JavaScript cost 10x more.
CREATE OR REPLACE TEMP MACRO tfidf_token(prefix, value) AS
    prefix || CASE WHEN regexp_matches(value, '[\s\x1f]') THEN regexp_replace(value, '[\s\x1f]+', '_', 'g') ELSE value END;
CREATE OR REPLACE TEMP MACRO tfidf_document(events) AS array_to_string(
    list_transform(
        list_sort(list_transform(events, e -> {
            'position': e.position,
            'tokens': concat_ws(chr(31),
                tfidf_token('e:', e.event_type),
                tfidf_token('c:', nullif(coalesce(e.category_code, e.category_id), '')),
                tfidf_token('b:', nullif(e.brand, '')))
        })),
        e -> e.tokens),
    chr(31));
