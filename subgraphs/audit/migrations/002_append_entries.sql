-- One statement per audit append (lib/audit/writer.ts), instead of four (BEGIN, lock_chain,
-- INSERT, COMMIT): every request waits for its entries' commit before any record is released,
-- so each round trip saved is latency saved on every request.
--
-- The writer chains the entries (hashes) in advance from the head its previous append left,
-- and sends them with that head. Under the chain's lock this function checks the head is still
-- the one they were chained from and only then inserts them; if another replica appended
-- meanwhile it inserts nothing and returns the head it found, and the writer chains again from
-- it under lock_chain. So the chain can never fork or hold an entry hashed from a stale head.
--
-- Durable in autocommit: the statement is its own transaction, and synchronous_commit, forced
-- on for it below, is read when it commits.
CREATE FUNCTION audit.append_entries(
  p_chain text, p_after_seq bigint, p_after_hash text,
  p_seq bigint[], p_at timestamptz[], p_request_id text[], p_operation_name text[], p_operation_hash text[],
  p_subject_iss text[], p_subject_sub text[], p_agency text[], p_subject_org text[],
  -- The text[] columns travel as one array literal per row (unnest cannot carry ragged 2-D arrays).
  p_roles text[], p_purpose text[], p_justification text[], p_action text[], p_record_type text[],
  p_record_id text[], p_owner_org text[], p_person_id text[], p_fields_released text[], p_fields_redacted text[],
  p_decision text[], p_rules text[], p_service text[], p_reason text[], p_prev_hash text[], p_hash text[])
RETURNS TABLE (head_seq bigint, head_hash text, appended boolean)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_seq bigint;
  v_hash text;
  v_last integer := cardinality(p_seq);
BEGIN
  IF current_setting('transaction_isolation') <> 'read committed' THEN
    RAISE EXCEPTION 'audit appends need READ COMMITTED isolation, not %', current_setting('transaction_isolation');
  END IF;
  IF v_last = 0 THEN
    RAISE EXCEPTION 'audit.append_entries needs at least one entry';
  END IF;
  PERFORM pg_advisory_xact_lock(1096107348, hashtext(p_chain));
  PERFORM set_config('synchronous_commit', 'on', true);
  -- A statement of its own, after the lock: a fresh snapshot that sees the previous holder's commit.
  SELECT e.seq, e.hash INTO v_seq, v_hash FROM audit.entries e WHERE e.chain = p_chain ORDER BY e.seq DESC LIMIT 1;
  IF coalesce(v_seq, 0) <> p_after_seq OR (v_seq IS NOT NULL AND v_hash <> p_after_hash) THEN
    RETURN QUERY SELECT v_seq, v_hash, false;
    RETURN;
  END IF;
  INSERT INTO audit.entries (chain, seq, at, request_id, operation_name, operation_hash, subject_iss, subject_sub,
    agency, subject_org, roles, purpose, justification, action, record_type, record_id, owner_org, person_id,
    fields_released, fields_redacted, decision, rules, service, reason, prev_hash, hash)
  SELECT p_chain, r.seq, r.at, r.request_id, r.operation_name, r.operation_hash, r.subject_iss, r.subject_sub,
    r.agency, r.subject_org, r.roles::text[], r.purpose, r.justification, r.action, r.record_type, r.record_id,
    r.owner_org, r.person_id, r.fields_released::text[], r.fields_redacted::text[], r.decision, r.rules::text[],
    r.service, r.reason, r.prev_hash, r.hash
  FROM unnest(p_seq, p_at, p_request_id, p_operation_name, p_operation_hash, p_subject_iss, p_subject_sub,
    p_agency, p_subject_org, p_roles, p_purpose, p_justification, p_action, p_record_type, p_record_id,
    p_owner_org, p_person_id, p_fields_released, p_fields_redacted, p_decision, p_rules, p_service, p_reason,
    p_prev_hash, p_hash)
    AS r(seq, at, request_id, operation_name, operation_hash, subject_iss, subject_sub, agency, subject_org, roles,
      purpose, justification, action, record_type, record_id, owner_org, person_id, fields_released,
      fields_redacted, decision, rules, service, reason, prev_hash, hash);
  -- No ORDER BY: rows come out of unnest in array order (ascending seq), and the order rows
  -- are stored in means nothing to the chain; sorting a page of 5,000 wide rows is not free.
  RETURN QUERY SELECT p_seq[v_last], p_hash[v_last], true;
END
$$;
