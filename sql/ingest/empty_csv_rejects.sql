-- The CSV reader logs the lines it cannot parse in csv_rejects and csv_reject_scans, which
-- clean/clean_events.sql reads. Other readers (JSONL, Parquet) log nothing, so for them the tables
-- are created here, empty, with the columns cleaning reads. (For CSV they cannot be created
-- beforehand: read_csv refuses reject tables it did not create itself.)
-- Needs: nothing. Creates: csv_rejects, csv_reject_scans.
CREATE OR REPLACE TEMP TABLE csv_rejects (
    scan_id UBIGINT, file_id UBIGINT, line UBIGINT, column_idx UBIGINT, error_type VARCHAR, csv_line VARCHAR, error_message VARCHAR
);
CREATE OR REPLACE TEMP TABLE csv_reject_scans (scan_id UBIGINT, file_id UBIGINT, file_path VARCHAR);
