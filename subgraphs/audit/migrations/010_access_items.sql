-- The auditors' per-item index (SPEC section 6: "indexes that serve these queries may be built
-- off the request path"). One row per ITEM of an audit event, filled after the commit by the
-- background indexer (lib/audit/indexer.ts), which reads audit.events in chain order and
-- verifies every event (hash, link, items root) before it indexes its items. The request path
-- never writes here: it pays one row per event in audit.events, nothing per record.
--
-- Derived data: everything here can be rebuilt from audit.events, so this table is not
-- append-only (retention deletes from it; a rebuild may empty it). The chain's integrity is
-- carried by audit.events alone.
CREATE TABLE audit.access_items (
  chain        text NOT NULL,
  seq          bigint NOT NULL,
  -- Position of the item within its event, from 0 (AccessEvent id `<chain>:<seq>.<item>`).
  item         integer NOT NULL CHECK (item >= 0),
  at           timestamptz(3) NOT NULL,
  request_id   text NOT NULL,
  subject_sub  text,
  subject_org  text,
  agency       text,
  purpose      text,
  action       text NOT NULL,
  record_type  text,
  record_id    text,
  owner_org    text,
  person_id    text,
  decision     text NOT NULL,
  PRIMARY KEY (chain, seq, item)
);

-- Every auditor index ends in (at, chain, seq, item): a filter's rows come out newest first by
-- scanning the index backwards, and the keyset cursor (at, chain, seq, item) resumes a page
-- exactly where the previous one stopped, at any depth. The leading columns are the filters
-- the API offers (SPEC section 7); purpose, decision and action are filtered on top of one of
-- these (or the time index) because alone they select too much of the log to be worth an index.
CREATE INDEX access_items_at ON audit.access_items (at, chain, seq, item);
CREATE INDEX access_items_subject ON audit.access_items (subject_sub, at, chain, seq, item);
CREATE INDEX access_items_org ON audit.access_items (subject_org, at, chain, seq, item);
CREATE INDEX access_items_agency ON audit.access_items (agency, at, chain, seq, item);
CREATE INDEX access_items_record ON audit.access_items (record_type, record_id, at, chain, seq, item);
CREATE INDEX access_items_person ON audit.access_items (person_id, at, chain, seq, item) WHERE person_id IS NOT NULL;
CREATE INDEX access_items_request ON audit.access_items (request_id, at, chain, seq, item);

-- The indexer's state, one row per chain: how far it has indexed AND verified. This is the
-- incremental verifier's memory: auditChainStatus answers from it (plus a fresh look at the
-- heads) instead of walking the whole log per call.
CREATE TABLE audit.index_state (
  chain          text PRIMARY KEY,
  -- The last event indexed (and verified); 0 and the genesis hash before the first.
  indexed_seq    bigint NOT NULL DEFAULT 0 CHECK (indexed_seq >= 0),
  indexed_hash   text NOT NULL CHECK (indexed_hash ~ '^[0-9a-f]{64}$'),
  -- The first seq this index holds (after a retention cut, the first event kept); NULL until one.
  first_seq      bigint,
  events_checked bigint NOT NULL DEFAULT 0,
  items_checked  bigint NOT NULL DEFAULT 0,
  -- false once the indexer met a break; it then stops on this chain and says where and why.
  verified       boolean NOT NULL DEFAULT true,
  -- lib/audit/verify.ts ChainProblem ('ALTERED', 'MISSING', 'REORDERED', 'MALFORMED', ...).
  problem        text,
  -- The first broken item id (`<chain>:<seq>.<item>`), or `<chain>:<seq>` when the whole event is.
  broken_at      text,
  reason         text,
  updated_at     timestamptz(3) NOT NULL DEFAULT now(),
  CONSTRAINT index_state_problem CHECK (verified = (problem IS NULL))
);
