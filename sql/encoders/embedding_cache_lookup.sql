-- The cached vectors of the text hashes in temp table embedding_cache_wanted(text_hash), read from
-- the cache's part files: only the hashes asked for are kept (a semi-join), so a shard never loads
-- the whole cache. A text embedded twice at once (two workers) may sit in two parts with vectors
-- that differ in the last bits; min() picks the same one every time.
-- Needs: parameters $files (the part files), $vector_bytes (dimensions x 4: rows of another size are ignored).
SELECT cached.text_hash, min(cached.vector) AS vector, bool_or(cached.chunked) AS chunked, bool_or(cached.truncated) AS truncated
FROM read_parquet($files) AS cached
SEMI JOIN embedding_cache_wanted AS wanted ON wanted.text_hash = cached.text_hash
WHERE octet_length(cached.vector) = $vector_bytes
GROUP BY cached.text_hash
