-- Reads every value of one cache part file: fails if the file is damaged (used to find which part
-- broke a lookup). Needs: parameter $file.
SELECT count(*) AS entries, sum(octet_length(vector)) AS bytes, count(DISTINCT text_hash) AS hashes, bool_or(chunked OR truncated) AS flags
FROM read_parquet($file)
