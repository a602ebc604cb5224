-- Audit: the append-only, hash-chained access log (SPEC section 6) and its signed checkpoints.
-- Runs unchanged on PGlite and on PostgreSQL >= 13.
--
-- Threat model, stated once: the triggers below stop the application (and any operator mistake)
-- from changing or removing entries. They are NOT a boundary against the database owner, who
-- can disable triggers; against that the hash chain and the signed checkpoints are the evidence
-- (lib/audit/verify.ts detects altered, removed, reordered and cut-off entries).
CREATE SCHEMA IF NOT EXISTS audit;

-- Kept lean on purpose: every constraint and index here is paid on each of up to tens of
-- thousands of inserts per second. An entry's id is `<chain>:<seq>`; there is no surrogate key.
CREATE TABLE audit.entries (
  -- One chain per writing service (chain id = service name by default); `seq` counts from 1
  -- without gaps.
  chain           text NOT NULL CHECK (chain ~ '^[a-z0-9][a-z0-9_.-]{0,62}$'),
  seq             bigint NOT NULL CHECK (seq >= 1),
  -- Millisecond precision on purpose: the hash covers the ISO time with ms, so the column must
  -- not be able to hold digits the hash does not cover.
  at              timestamptz(3) NOT NULL,
  request_id      text NOT NULL,
  operation_name  text,
  operation_hash  text,
  -- The verified subject; all NULL when none was verified (authentication failures), and then
  -- `reason` says why. Nothing an unverified token claimed is ever stored.
  subject_iss     text,
  subject_sub     text,
  agency          text,
  subject_org     text,
  roles           text[] NOT NULL DEFAULT '{}',
  purpose         text,
  justification   text,
  action          text NOT NULL CHECK (action IN ('READ', 'WRITE', 'AUTHENTICATE', 'AUDIT_READ', 'REQUEST', 'PURPOSE_CHECK')),
  record_type     text,
  record_id       text,
  owner_org       text,
  -- The person the record is about (the record itself for a Person): "who saw this person".
  person_id       text,
  fields_released text[] NOT NULL,
  fields_redacted text[] NOT NULL,
  decision        text NOT NULL CHECK (decision IN ('ALLOW', 'PARTIAL', 'DENY')),
  rules           text[] NOT NULL,
  service         text NOT NULL,
  reason          text,
  -- Hex SHA-256. Only the length is checked here (a regex per row is measurable); the verifier
  -- rejects anything else as malformed.
  prev_hash       text NOT NULL CHECK (length(prev_hash) = 64),
  hash            text NOT NULL CHECK (length(hash) = 64),
  CONSTRAINT entries_subject_whole CHECK (
    (subject_iss IS NULL AND subject_sub IS NULL AND agency IS NULL AND subject_org IS NULL AND roles = '{}')
    OR (subject_iss IS NOT NULL AND subject_sub IS NOT NULL AND agency IS NOT NULL AND subject_org IS NOT NULL)),
  CONSTRAINT entries_anonymous_has_reason CHECK (subject_sub IS NOT NULL OR reason IS NOT NULL),
  -- Load-bearing: even a writer that skipped the chain lock could not fork a chain, because two
  -- entries can never take the same position.
  PRIMARY KEY (chain, seq)
);

-- The auditors' filters (accessLog), each ending in the keyset (at, chain, seq) of newest-first paging.
CREATE INDEX entries_at ON audit.entries (at, chain, seq);
CREATE INDEX entries_subject ON audit.entries (subject_sub, at, chain, seq);
CREATE INDEX entries_org ON audit.entries (subject_org, at, chain, seq);
CREATE INDEX entries_record ON audit.entries (record_type, record_id, at, chain, seq);
CREATE INDEX entries_person ON audit.entries (person_id, at, chain, seq) WHERE person_id IS NOT NULL;
-- Ties a gateway's request-level entry to the subgraphs' record-level ones.
CREATE INDEX entries_request ON audit.entries (request_id);

-- Signed statements of a chain's head, kept apart from the entries: deleting the newest entries
-- leaves a head behind the last checkpoint, which verification reports.
CREATE TABLE audit.checkpoints (
  id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  chain     text NOT NULL,
  -- Entries the chain had ever held at that moment (= the head's seq, purged ones included).
  seq       bigint NOT NULL CHECK (seq >= 1),
  head_hash text NOT NULL CHECK (head_hash ~ '^[0-9a-f]{64}$'),
  at        timestamptz(3) NOT NULL,
  -- PERIODIC (every 10 s while entries are written), SHUTDOWN, or RETENTION (the cut of a purge).
  kind      text NOT NULL CHECK (kind IN ('PERIODIC', 'SHUTDOWN', 'RETENTION')),
  key_id    text NOT NULL,
  -- Compact JWS over {chain, seq, headHash, at, kind}: the only part a verifier trusts.
  signature text NOT NULL
);
CREATE INDEX checkpoints_chain ON audit.checkpoints (chain, seq, id);

/*
 * Append-only, enforced by the database. UPDATE, DELETE and TRUNCATE raise, on both tables,
 * with ONE exception: audit.purge_entries (below) marks its transaction with the setting
 * `audit.purge_through` = '<chain>\n<seq>', and only rows of that chain at or below that seq
 * (strictly below, for checkpoints) may then be deleted, and only entries covered by a
 * RETENTION checkpoint. Nothing may ever be updated.
 */
CREATE FUNCTION audit.refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  purge text := coalesce(current_setting('audit.purge_through', true), '');
  purge_chain text;
  purge_seq bigint;
BEGIN
  IF TG_LEVEL = 'ROW' AND TG_OP = 'DELETE' AND purge <> '' THEN
    purge_chain := split_part(purge, E'\n', 1);
    purge_seq := split_part(purge, E'\n', 2)::bigint;
    IF TG_TABLE_NAME = 'entries' AND OLD.chain = purge_chain AND OLD.seq <= purge_seq
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
          HINT = 'Old entries leave only through audit.purge_entries (retention).';
END
$$;

CREATE TRIGGER entries_append_only BEFORE UPDATE OR DELETE ON audit.entries
  FOR EACH ROW EXECUTE FUNCTION audit.refuse_change();
CREATE TRIGGER entries_no_truncate BEFORE TRUNCATE ON audit.entries
  FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change();
CREATE TRIGGER checkpoints_append_only BEFORE UPDATE OR DELETE ON audit.checkpoints
  FOR EACH ROW EXECUTE FUNCTION audit.refuse_change();
CREATE TRIGGER checkpoints_no_truncate BEFORE TRUNCATE ON audit.checkpoints
  FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change();

/*
 * Locks a chain for appending and returns its head, in one round trip. Called first in every
 * append transaction (lib/audit/writer.ts).
 * - The advisory lock serializes appends to one chain across every process and replica; it is
 *   released at commit or rollback. Two-int form, so it never collides with single-bigint locks
 *   (migrations use one).
 * - The head is read AFTER the lock by a separate statement: in READ COMMITTED a volatile
 *   function takes a fresh snapshot per statement, so it sees the previous holder's commit.
 *   Under REPEATABLE READ/SERIALIZABLE the snapshot predates the lock, so we refuse instead of
 *   building on a stale head (the primary key (chain, seq) would refuse the insert anyway).
 * - Fail closed: synchronous_commit is forced on for this transaction, so COMMIT returns only
 *   once the entries are flushed to disk, whatever the server's default.
 */
CREATE FUNCTION audit.lock_chain(p_chain text) RETURNS TABLE (head_seq bigint, head_hash text)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  IF current_setting('transaction_isolation') <> 'read committed' THEN
    RAISE EXCEPTION 'audit appends need READ COMMITTED isolation, not %', current_setting('transaction_isolation');
  END IF;
  PERFORM pg_advisory_xact_lock(1096107348, hashtext(p_chain));
  PERFORM set_config('synchronous_commit', 'on', true);
  RETURN QUERY SELECT e.seq, e.hash FROM audit.entries e WHERE e.chain = p_chain ORDER BY e.seq DESC LIMIT 1;
END
$$;

/*
 * Every chain with its head, via a loose index scan on (chain, seq): a handful of index probes
 * per chain instead of reading millions of rows, so the checkpointer can run every 10 s.
 */
CREATE FUNCTION audit.chain_heads() RETURNS TABLE (chain text, head_seq bigint, head_hash text, first_seq bigint)
LANGUAGE sql STABLE AS $$
  WITH RECURSIVE chains AS (
    (SELECT e.chain FROM audit.entries e ORDER BY e.chain LIMIT 1)
    UNION ALL
    SELECT (SELECT e.chain FROM audit.entries e WHERE e.chain > chains.chain ORDER BY e.chain LIMIT 1)
    FROM chains WHERE chains.chain IS NOT NULL
  )
  SELECT chains.chain, head.seq, head.hash, first.seq
  FROM chains
  CROSS JOIN LATERAL (SELECT e.seq, e.hash FROM audit.entries e WHERE e.chain = chains.chain ORDER BY e.seq DESC LIMIT 1) head
  CROSS JOIN LATERAL (SELECT e.seq FROM audit.entries e WHERE e.chain = chains.chain ORDER BY e.seq LIMIT 1) first
  WHERE chains.chain IS NOT NULL
  ORDER BY chains.chain
$$;

/*
 * THE ONE ALLOWED WAY TO REMOVE ENTRIES (retention, env AUDIT_RETENTION_DAYS): deletes entries
 * of `p_chain` with seq <= `p_through`, and that chain's checkpoints below the cut. Refuses
 * unless a RETENTION checkpoint already records the cut (seq and hash of the last entry removed),
 * so the remaining chain still verifies from that point, and never removes a chain's head, so
 * appends continue from it. Call it in the transaction that holds the chain lock and wrote the
 * checkpoint (lib/audit/retention.ts).
 */
CREATE FUNCTION audit.purge_entries(p_chain text, p_through bigint) RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  removed bigint;
BEGIN
  IF NOT EXISTS (
    SELECT 1 FROM audit.checkpoints c
    JOIN audit.entries e ON e.chain = c.chain AND e.seq = c.seq AND e.hash = c.head_hash
    WHERE c.chain = p_chain AND c.seq = p_through AND c.kind = 'RETENTION'
  ) THEN
    RAISE EXCEPTION 'no RETENTION checkpoint records chain % at seq %; refusing to purge', p_chain, p_through;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM audit.entries e WHERE e.chain = p_chain AND e.seq > p_through) THEN
    RAISE EXCEPTION 'purging chain % through seq % would remove its head; refusing', p_chain, p_through;
  END IF;
  PERFORM set_config('audit.purge_through', p_chain || E'\n' || p_through::text, true);
  DELETE FROM audit.entries e WHERE e.chain = p_chain AND e.seq <= p_through;
  GET DIAGNOSTICS removed = ROW_COUNT;
  DELETE FROM audit.checkpoints c WHERE c.chain = p_chain AND c.seq < p_through;
  PERFORM set_config('audit.purge_through', '', true);
  RETURN removed;
END
$$;
