-- drop_row: the row's place in the drop (files in the given order, rows in file order), the
-- stable tie-break for events that share a timestamp and the row a quarantine entry names.
-- Staging scans one file at a time, in order, and a single-file scan preserves insertion order,
-- so staged_events' rowid is that place; reading it is far cheaper than numbering rows with a
-- window while parsing.
CREATE OR REPLACE TEMP VIEW staged_rows AS
SELECT rowid + 1 AS drop_row, * FROM staged_events;
