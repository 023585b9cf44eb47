-- The staging tables a drop's files are inserted into, one file at a time (stage_events.sql), and
-- the view cleaning reads them through (clean/clean_events.sql).
-- Needs: nothing. Creates: event_type_vocabulary, staged_files, staged_events, staged_rows.

-- The format's event type vocabulary: raw (trimmed, lower case) -> canonical; raw-source.ts fills
-- it from the format mapping.
CREATE OR REPLACE TEMP TABLE event_type_vocabulary (raw VARCHAR, canonical VARCHAR);

-- Rows carry their file's index; the path is stored once per file.
CREATE OR REPLACE TEMP TABLE staged_files (file_index INTEGER, source_file VARCHAR);

-- Every raw row, typed, with its first failing check (quarantine_reason, NULL when it passes) and,
-- for quarantined rows only, the raw text of the checked fields (their detail quotes it).
CREATE OR REPLACE TEMP TABLE staged_events (
    file_index INTEGER,
    user_id VARCHAR,
    item_id VARCHAR,
    category_id VARCHAR,
    category_code VARCHAR,
    brand VARCHAR,
    title VARCHAR,
    query_text VARCHAR,
    event_type VARCHAR,
    event_time TIMESTAMP,
    price DOUBLE,
    session_id VARCHAR,
    quarantine_reason VARCHAR,
    event_type_raw VARCHAR,
    event_time_raw VARCHAR,
    price_raw VARCHAR
);

-- drop_row: the row's place in the drop (files in the given order, rows in file order), the
-- stable tie-break for events that share a timestamp and the row a quarantine entry names.
-- Staging inserts one file at a time, in order, and a single-file scan preserves insertion order,
-- so staged_events' rowid is that place; reading it is far cheaper than numbering rows with a
-- window while parsing.
CREATE OR REPLACE TEMP VIEW staged_rows AS
SELECT rowid + 1 AS drop_row, * FROM staged_events;
