-- The audit EVENT (SPEC section 6; lib/audit/event-format.ts): the chained unit of the log, one
-- row per request x service x action x record type, its per-record ITEMS inside it. A page of
-- 500 records is one chained row, not 500: the hot path pays one row and one primary-key entry.
--
-- Everything an auditor filters on per item (subject, record, person, ...) is indexed off the
-- request path, in audit.access_items (a later migration), filled by the background indexer.
CREATE TABLE audit.events (
  chain           text NOT NULL CHECK (chain ~ '^[a-z0-9][a-z0-9_.-]{0,62}$'),
  seq             bigint NOT NULL CHECK (seq >= 1),
  -- 1: an entry written before events existed (one record; hashed as lib/audit/chain.ts's
  --    tributary-audit/1 canonical entry; items_root NULL). 2: an event (event-format.ts).
  version         smallint NOT NULL CHECK (version IN (1, 2)),
  at              timestamptz(3) NOT NULL,
  request_id      text NOT NULL,
  operation_name  text,
  operation_hash  text,
  subject_iss     text,
  subject_sub     text,
  agency          text,
  subject_org     text,
  roles           text[] NOT NULL DEFAULT '{}',
  purpose         text,
  justification   text,
  action          text NOT NULL CHECK (action IN ('READ', 'WRITE', 'AUTHENTICATE', 'AUDIT_READ', 'REQUEST', 'PURPOSE_CHECK')),
  record_type     text,
  service         text NOT NULL,
  reason          text,
  item_count      integer NOT NULL CHECK (item_count >= 1),
  -- JSON array of the items' canonical arrays (event-format.ts CanonicalItemArray), as written.
  -- Text, not jsonb: jsonb would re-encode it, and the leaves are hashed over these exact bytes.
  items           text NOT NULL,
  items_root      text CHECK (items_root IS NULL OR length(items_root) = 64),
  prev_hash       text NOT NULL CHECK (length(prev_hash) = 64),
  hash            text NOT NULL CHECK (length(hash) = 64),
  CONSTRAINT events_version_root CHECK ((version = 1) = (items_root IS NULL)),
  CONSTRAINT events_subject_whole CHECK (
    (subject_iss IS NULL AND subject_sub IS NULL AND agency IS NULL AND subject_org IS NULL AND roles = '{}')
    OR (subject_iss IS NOT NULL AND subject_sub IS NOT NULL AND agency IS NOT NULL AND subject_org IS NOT NULL)),
  CONSTRAINT events_anonymous_has_reason CHECK (subject_sub IS NOT NULL OR reason IS NOT NULL),
  PRIMARY KEY (chain, seq)
);
