-- Appending, locking, heads and retention over audit.events (lib/audit/group-commit.ts,
-- chain-rows.ts, retention.ts), replacing 001/002's versions over audit.entries.

/*
 * Append-only, enforced by the database, as 001 did for audit.entries: UPDATE, DELETE and
 * TRUNCATE raise on audit.events and audit.checkpoints, with ONE exception: audit.purge_events
 * marks its transaction with `audit.purge_through` = '<chain>\n<seq>', and only events of that
 * chain at or below that seq (strictly below, for checkpoints) may then be deleted, and only
 * events covered by a RETENTION checkpoint. Nothing may ever be updated.
 */
CREATE OR REPLACE FUNCTION audit.refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  purge text := coalesce(current_setting('audit.purge_through', true), '');
  purge_chain text;
  purge_seq bigint;
BEGIN
  IF TG_LEVEL = 'ROW' AND TG_OP = 'DELETE' AND purge <> '' THEN
    purge_chain := split_part(purge, E'\n', 1);
    purge_seq := split_part(purge, E'\n', 2)::bigint;
    IF TG_TABLE_NAME = 'events' AND OLD.chain = purge_chain AND OLD.seq <= purge_seq
       AND EXISTS (SELECT 1 FROM audit.checkpoints c
                   WHERE c.chain = OLD.chain AND c.kind = 'RETENTION' AND c.seq >= OLD.seq) THEN
      RETURN OLD;
    END IF;
    IF TG_TABLE_NAME = 'checkpoints' AND OLD.chain = purge_chain AND OLD.seq < purge_seq THEN
      RETURN OLD;
    END IF;
  END IF;
  RAISE EXCEPTION 'audit.% is append-only: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege',
          HINT = 'Old events leave only through audit.purge_events (retention).';
END
$$;

CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON audit.events
  FOR EACH ROW EXECUTE FUNCTION audit.refuse_change();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON audit.events
  FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change();

/*
 * As 001's, over events. SECURITY DEFINER (owned by the migrating role): a service appending
 * through the append-only role (AUDIT_DATABASE_URL; docs/operations.md) learns the head's seq
 * and hash, which it must chain from, and nothing else of the log.
 */
CREATE OR REPLACE FUNCTION audit.lock_chain(p_chain text) RETURNS TABLE (head_seq bigint, head_hash text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF current_setting('transaction_isolation') <> 'read committed' THEN
    RAISE EXCEPTION 'audit appends need READ COMMITTED isolation, not %', current_setting('transaction_isolation');
  END IF;
  PERFORM pg_advisory_xact_lock(1096107348, hashtext(p_chain));
  PERFORM set_config('synchronous_commit', 'on', true);
  RETURN QUERY SELECT e.seq, e.hash FROM audit.events e WHERE e.chain = p_chain ORDER BY e.seq DESC LIMIT 1;
END
$$;

CREATE OR REPLACE FUNCTION audit.chain_heads() RETURNS TABLE (chain text, head_seq bigint, head_hash text, first_seq bigint)
LANGUAGE sql STABLE AS $$
  WITH RECURSIVE chains AS (
    (SELECT e.chain FROM audit.events e ORDER BY e.chain LIMIT 1)
    UNION ALL
    SELECT (SELECT e.chain FROM audit.events e WHERE e.chain > chains.chain ORDER BY e.chain LIMIT 1)
    FROM chains WHERE chains.chain IS NOT NULL
  )
  SELECT chains.chain, head.seq, head.hash, first.seq
  FROM chains
  CROSS JOIN LATERAL (SELECT e.seq, e.hash FROM audit.events e WHERE e.chain = chains.chain ORDER BY e.seq DESC LIMIT 1) head
  CROSS JOIN LATERAL (SELECT e.seq FROM audit.events e WHERE e.chain = chains.chain ORDER BY e.seq LIMIT 1) first
  WHERE chains.chain IS NOT NULL
  ORDER BY chains.chain
$$;

/*
 * THE append: one statement per group commit, as 002's append_entries was, now one row per
 * event. The writer chains the events (hashes) from the head its previous append left and sends
 * them with that head; under the chain's lock this checks the head is still that one and only
 * then inserts; otherwise it inserts nothing and returns the head it found.
 *
 * It also checks the rows link to each other and to the head (seq without gaps, each prev_hash
 * the previous hash): whoever calls it, the chain cannot fork or skip. Whether each hash matches
 * its content is the verifier's job (recomputing SHA-256 here would cost the hot path).
 *
 * SECURITY DEFINER, owned by the migrating role, EXECUTE revoked from PUBLIC: the append-only
 * role (audit.grant_appender below) can call it and has no privilege on the tables themselves.
 */
CREATE FUNCTION audit.append_events(
  p_chain text, p_after_seq bigint, p_after_hash text,
  p_seq bigint[], p_at timestamptz[], p_request_id text[], p_operation_name text[], p_operation_hash text[],
  p_subject_iss text[], p_subject_sub text[], p_agency text[], p_subject_org text[],
  -- roles travel as one array literal per event (unnest cannot carry ragged 2-D arrays).
  p_roles text[], p_purpose text[], p_justification text[], p_action text[], p_record_type text[],
  p_service text[], p_reason text[], p_item_count integer[], p_items text[], p_items_root text[],
  p_prev_hash text[], p_hash text[])
RETURNS TABLE (head_seq bigint, head_hash text, appended boolean)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_seq bigint;
  v_hash text;
  v_last integer := cardinality(p_seq);
BEGIN
  IF current_setting('transaction_isolation') <> 'read committed' THEN
    RAISE EXCEPTION 'audit appends need READ COMMITTED isolation, not %', current_setting('transaction_isolation');
  END IF;
  IF v_last = 0 THEN
    RAISE EXCEPTION 'audit.append_events needs at least one event';
  END IF;
  IF EXISTS (SELECT 1 FROM generate_subscripts(p_seq, 1) AS s(i)
             WHERE p_seq[i] IS DISTINCT FROM p_after_seq + i
                OR p_prev_hash[i] IS DISTINCT FROM CASE WHEN i = 1 THEN p_after_hash ELSE p_hash[i - 1] END) THEN
    RAISE EXCEPTION 'audit.append_events: the events do not link to each other and to seq %', p_after_seq;
  END IF;
  PERFORM pg_advisory_xact_lock(1096107348, hashtext(p_chain));
  PERFORM set_config('synchronous_commit', 'on', true);
  -- A statement of its own, after the lock: a fresh snapshot that sees the previous holder's commit.
  SELECT e.seq, e.hash INTO v_seq, v_hash FROM audit.events e WHERE e.chain = p_chain ORDER BY e.seq DESC LIMIT 1;
  IF coalesce(v_seq, 0) <> p_after_seq OR (v_seq IS NOT NULL AND v_hash <> p_after_hash) THEN
    RETURN QUERY SELECT v_seq, v_hash, false;
    RETURN;
  END IF;
  INSERT INTO audit.events (chain, seq, version, at, request_id, operation_name, operation_hash, subject_iss,
    subject_sub, agency, subject_org, roles, purpose, justification, action, record_type, service, reason,
    item_count, items, items_root, prev_hash, hash)
  SELECT p_chain, r.seq, 2, r.at, r.request_id, r.operation_name, r.operation_hash, r.subject_iss, r.subject_sub,
    r.agency, r.subject_org, r.roles::text[], r.purpose, r.justification, r.action, r.record_type, r.service,
    r.reason, r.item_count, r.items, r.items_root, r.prev_hash, r.hash
  FROM unnest(p_seq, p_at, p_request_id, p_operation_name, p_operation_hash, p_subject_iss, p_subject_sub,
    p_agency, p_subject_org, p_roles, p_purpose, p_justification, p_action, p_record_type, p_service, p_reason,
    p_item_count, p_items, p_items_root, p_prev_hash, p_hash)
    AS r(seq, at, request_id, operation_name, operation_hash, subject_iss, subject_sub, agency, subject_org, roles,
      purpose, justification, action, record_type, service, reason, item_count, items, items_root, prev_hash, hash);
  RETURN QUERY SELECT p_seq[v_last], p_hash[v_last], true;
END
$$;

/*
 * THE ONE ALLOWED WAY TO REMOVE EVENTS (retention, AUDIT_RETENTION_DAYS), as 001's
 * purge_entries: deletes events of `p_chain` with seq <= `p_through` and that chain's
 * checkpoints below the cut, only behind a RETENTION checkpoint recording the cut, never the head.
 */
CREATE FUNCTION audit.purge_events(p_chain text, p_through bigint) RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  removed bigint;
BEGIN
  IF NOT EXISTS (
    SELECT 1 FROM audit.checkpoints c
    JOIN audit.events e ON e.chain = c.chain AND e.seq = c.seq AND e.hash = c.head_hash
    WHERE c.chain = p_chain AND c.seq = p_through AND c.kind = 'RETENTION'
  ) THEN
    RAISE EXCEPTION 'no RETENTION checkpoint records chain % at seq %; refusing to purge', p_chain, p_through;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM audit.events e WHERE e.chain = p_chain AND e.seq > p_through) THEN
    RAISE EXCEPTION 'purging chain % through seq % would remove its head; refusing', p_chain, p_through;
  END IF;
  PERFORM set_config('audit.purge_through', p_chain || E'\n' || p_through::text, true);
  DELETE FROM audit.events e WHERE e.chain = p_chain AND e.seq <= p_through;
  GET DIAGNOSTICS removed = ROW_COUNT;
  DELETE FROM audit.checkpoints c WHERE c.chain = p_chain AND c.seq < p_through;
  PERFORM set_config('audit.purge_through', '', true);
  RETURN removed;
END
$$;

-- Functions are executable by PUBLIC by default; these two run with the owner's rights.
REVOKE ALL ON FUNCTION audit.lock_chain(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION audit.append_events(text, bigint, text, bigint[], timestamptz[], text[], text[], text[], text[],
  text[], text[], text[], text[], text[], text[], text[], text[], text[], text[], integer[], text[], text[], text[],
  text[]) FROM PUBLIC;
