-- "Who saw person P" (personAccessHistory; accessLog's personId filter) is two disjoint parts:
-- items about P (person_id = P) and reads of P's own Person record filed under another
-- person_id (record_type = 'Person' AND record_id = P AND person_id IS DISTINCT FROM P). The
-- API counts and pages each part from an index of its own (subgraphs/audit/query.ts).
-- access_items_person serves the first; this one the second, with person_id in the index so
-- that the count is answered from the index alone. Without it, the count of a person seen
-- often read every matching heap row: 267 ms for 34k items in a 2M-record log (bench/
-- audit-scale.ts), most of personAccessHistory's time; at 10M it grows with the person.
CREATE INDEX access_items_person_record ON audit.access_items (record_id, at, chain, seq, item)
  INCLUDE (person_id) WHERE record_type = 'Person';
