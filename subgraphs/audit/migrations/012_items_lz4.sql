-- An event's `items` (a page's items, ~25 kB at 100 records) is always TOASTed, and PostgreSQL's
-- default compression (pglz) was the largest part of the database's CPU per audited record:
-- the writer compresses every event on the request path and audit:verify decompresses every one.
-- lz4 compresses about as well for this JSON at a fraction of the CPU. Measured in one run,
-- alternating (bench/audit-writer-compare.ts, bench/audit-scale.ts; bench/results/audit-events.md):
-- PostgreSQL CPU per record appended 1.26-2.1 -> 0.75-0.91 µs, audit:verify with two workers over
-- 2M records 684k-901k -> 969k-1,129k records/s. Storing items uncompressed (STORAGE EXTERNAL)
-- measured worse than either on the writer (1.07-1.31 µs: more WAL and TOAST pages to write).
--
-- Applies to values written from now on; events already stored keep their compression and read
-- back the same text, so hashes are unchanged. A server built without lz4 (the embedded PGlite
-- is) keeps pglz: that is a speed setting, never a reason to refuse to start.
DO $$
BEGIN
  ALTER TABLE audit.events ALTER COLUMN items SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
  NULL;
END
$$;
