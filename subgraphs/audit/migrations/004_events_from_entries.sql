-- The log moves from one chained row per record (audit.entries, tributary-audit/1) to one
-- chained row per EVENT (audit.events, 003; lib/audit/event-format.ts).
--
-- Migration choice (docs/audit.md, "Legacy entries"): a VERSION MARKER PER CHAIN SEGMENT, not a
-- rewrite. Every existing entry is copied into audit.events as a version-1 row, one item, with
-- its original prev_hash and hash untouched; the verifier hashes version-1 rows with the old
-- canonical entry (lib/audit/chain.ts) and version-2 rows with the event format. A chain is
-- then a run of version-1 rows followed by version-2 rows; the first event links to the last
-- legacy entry's hash. Nothing is re-hashed, so every checkpoint signed before the migration
-- (its seq is the legacy entry's seq, which the copy keeps) still verifies against the chain.
--
-- The items of a version-1 row are its one record as the item array of event-format.ts
-- (CanonicalItemArray). This text is not what version-1 hashes cover (the hash covers the
-- columns through the old canonical entry), so PostgreSQL's JSON spacing here is harmless; the
-- verifier rebuilds the old canonical entry from the parsed values.
INSERT INTO audit.events (chain, seq, version, at, request_id, operation_name, operation_hash, subject_iss,
  subject_sub, agency, subject_org, roles, purpose, justification, action, record_type, service, reason,
  item_count, items, items_root, prev_hash, hash)
SELECT e.chain, e.seq, 1, e.at, e.request_id, e.operation_name, e.operation_hash, e.subject_iss,
  e.subject_sub, e.agency, e.subject_org, e.roles, e.purpose, e.justification, e.action, e.record_type, e.service,
  e.reason, 1,
  json_build_array(json_build_array(e.record_id, e.owner_org, e.person_id, to_json(e.fields_released),
    to_json(e.fields_redacted), e.decision, to_json(e.rules)))::text,
  NULL, e.prev_hash, e.hash
FROM audit.entries e;

-- Checked, not assumed: the copy is whole before the old table goes.
DO $$
BEGIN
  IF (SELECT count(*) FROM audit.entries) <> (SELECT count(*) FROM audit.events WHERE version = 1) THEN
    RAISE EXCEPTION 'audit migration 004: not every legacy entry was copied into audit.events';
  END IF;
END
$$;

DROP FUNCTION audit.append_entries(text, bigint, text, bigint[], timestamptz[], text[], text[], text[], text[], text[],
  text[], text[], text[], text[], text[], text[], text[], text[], text[], text[], text[], text[], text[], text[], text[],
  text[], text[], text[]);
DROP FUNCTION audit.purge_entries(text, bigint);
DROP TABLE audit.entries;

/*
 * A compatibility VIEW for tools and tests that think in records: one row per ITEM, with the
 * old table's columns plus `item` (its index in the event, from 0). `seq`, `prev_hash` and
 * `hash` are the EVENT's. Not for the request path nor for auditors' queries (those read
 * audit.access_items, filled by the background indexer): it parses every event's items.
 */
CREATE VIEW audit.entries AS
SELECT e.chain, e.seq, (i.ordinality - 1)::integer AS item, e.item_count, e.version, e.at, e.request_id, e.operation_name,
  e.operation_hash, e.subject_iss, e.subject_sub, e.agency, e.subject_org, e.roles, e.purpose, e.justification,
  e.action, e.record_type,
  i.value ->> 0 AS record_id,
  i.value ->> 1 AS owner_org,
  i.value ->> 2 AS person_id,
  ARRAY(SELECT json_array_elements_text(i.value -> 3)) AS fields_released,
  ARRAY(SELECT json_array_elements_text(i.value -> 4)) AS fields_redacted,
  i.value ->> 5 AS decision,
  ARRAY(SELECT json_array_elements_text(i.value -> 6)) AS rules,
  e.service, e.reason, e.prev_hash, e.hash
FROM audit.events e
CROSS JOIN LATERAL json_array_elements(e.items::json) WITH ORDINALITY AS i(value, ordinality);
