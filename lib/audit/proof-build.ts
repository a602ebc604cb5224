import { isOneOf, SERVICES } from '../domain.js';
import { sql, type Queryable, type Row } from '../store/index.js';
import { canonicalEntry, isHash } from './chain.js';
import { parseCheckpointRow } from './checkpoints.js';
import { isAuditAction, isAuditDecision, type AuditSubject } from './entry.js';
import { date, int, MalformedRowError } from './entry-row.js';
import { canonicalHeader, parseItemId, type AuditEventHeader } from './event-format.js';
import { inclusionPath, leafHash } from './merkle.js';
import { decodeHeader, decodeItem } from './proof-canonical.js';
import { PROOF_FORMAT, type AuditProof, type EventVersion, type ProofLink } from './proof.js';

/**
 * Builds the inclusion proof of one item from the audit store (`audit.events`,
 * `audit.checkpoints`). Read-only: it never writes, so proving cannot change the log. The
 * canonical texts are recomputed from the stored columns exactly as the writer hashed them; if
 * the log was tampered with, the proof says so when verified (it does not hide the break).
 */
export type ProofLookup =
  | { readonly kind: 'proof'; readonly proof: AuditProof }
  | { readonly kind: 'malformed-id' }
  | { readonly kind: 'no-such-entry' }
  /** The event exists, but no signed checkpoint has reached it yet (the checkpointer runs every 10 s). */
  | { readonly kind: 'not-covered'; readonly chain: string; readonly seq: number };

const EVENT_COLUMNS = sql`e.seq, e.version, e.at, e.request_id, e.operation_name, e.operation_hash, e.subject_iss, e.subject_sub,
  e.agency, e.subject_org, e.roles, e.purpose, e.justification, e.action, e.record_type, e.service, e.reason, e.item_count,
  e.items, e.items_root, e.prev_hash, e.hash`;

export async function buildProof(store: Queryable, id: string): Promise<ProofLookup> {
  const place = parseItemId(id);
  if (place === null) return { kind: 'malformed-id' };
  const { chain, seq, item } = place;
  const [row] = await store.query(sql`SELECT ${EVENT_COLUMNS} FROM audit.events e WHERE e.chain = ${chain} AND e.seq = ${seq}`);
  if (row === undefined) return { kind: 'no-such-entry' };
  const event = readEvent(chain, row);
  const canonical = event.items[item];
  if (canonical === undefined) return { kind: 'no-such-entry' };

  // The first checkpoint at or after the event whose head is an event of this log as it stands
  // (a checkpoint of a head that is not there would only make a proof that fails).
  const [checkpointRow] = await store.query(sql`
    SELECT c.chain, c.seq, c.head_hash, c.at, c.kind, c.key_id, c.signature
    FROM audit.checkpoints c
    JOIN audit.events h ON h.chain = c.chain AND h.seq = c.seq AND h.hash = c.head_hash
    WHERE c.chain = ${chain} AND c.seq >= ${seq}
    ORDER BY c.seq, c.id
    LIMIT 1`);
  if (checkpointRow === undefined) return { kind: 'not-covered', chain, seq };
  const checkpoint = parseCheckpointRow(checkpointRow);

  const linkRows = await store.query(sql`
    SELECT ${EVENT_COLUMNS} FROM audit.events e WHERE e.chain = ${chain} AND e.seq > ${seq} AND e.seq <= ${checkpoint.seq} ORDER BY e.seq`);
  const links: ProofLink[] = linkRows.map((r) => {
    const link = readEvent(chain, r);
    return { seq: link.seq, version: link.version, header: link.header, items_root: link.itemsRoot, hash: link.hash };
  });

  const leaves = event.items.map((text) => leafHash(text));
  const itemFields = decodeItem(canonical);
  const headerFields = decodeHeader(event.version, event.header)?.fields;
  if (itemFields === null || headerFields === undefined) throw new MalformedRowError(`audit event ${chain}:${seq}: its stored columns do not encode a canonical header and items`);
  return {
    kind: 'proof',
    proof: {
      format: PROOF_FORMAT,
      item: { id, canonical, fields: itemFields },
      leaf_index: item,
      tree_size: event.items.length,
      leaf_hash: (leaves[item] as Buffer).toString('hex'),
      // A version-1 event hashes its one item inside its canonical entry, not through a tree.
      path: event.version === 2 ? inclusionPath(leaves, item).map((h) => h.toString('hex')) : [],
      event: { version: event.version, header: event.header, fields: headerFields, items_root: event.itemsRoot, prev_hash: event.prevHash, hash: event.hash },
      links,
      checkpoint: {
        jws: checkpoint.signature,
        key_id: checkpoint.keyId,
        chain: checkpoint.chain,
        seq: checkpoint.seq,
        head_hash: checkpoint.headHash,
        at: checkpoint.at.toISOString(),
        kind: checkpoint.kind,
      },
    },
  };
}

interface StoredEvent {
  readonly seq: number;
  readonly version: EventVersion;
  /** Version 2: the canonical header; version 1: the canonical entry. */
  readonly header: string;
  /** The items' canonical texts, in order. */
  readonly items: readonly string[];
  readonly itemsRoot: string | null;
  readonly prevHash: string;
  readonly hash: string;
}

const isService = isOneOf(SERVICES);

function readEvent(chain: string, row: Row): StoredEvent {
  const seq = int(row, 'seq');
  const where = `audit event ${chain}:${seq}`;
  const version = row['version'] === 1 || row['version'] === 2 ? row['version'] : Number(row['version']);
  if (version !== 1 && version !== 2) throw new MalformedRowError(`${where}: unknown version ${String(row['version'])}`);
  const action = row['action'];
  if (!isAuditAction(action)) throw new MalformedRowError(`${where}: unknown action ${String(action)}`);
  const items = itemsOf(row['items'], where);
  const prevHash = row['prev_hash'];
  const hash = row['hash'];
  const itemsRoot = row['items_root'] ?? null;
  if (!isHash(prevHash) || !isHash(hash) || (itemsRoot !== null && !isHash(itemsRoot))) throw new MalformedRowError(`${where}: malformed hash`);
  const header: AuditEventHeader = {
    at: date(row, 'at'),
    requestId: text(row, 'request_id', where),
    operationName: optText(row, 'operation_name', where),
    operationHash: optText(row, 'operation_hash', where),
    subject: subjectOf(row, where),
    purpose: optText(row, 'purpose', where),
    justification: optText(row, 'justification', where),
    action,
    recordType: optText(row, 'record_type', where),
    service: text(row, 'service', where),
    reason: optText(row, 'reason', where),
  };
  if (version === 2) return { seq, version, header: canonicalHeader(chain, seq, header, int(row, 'item_count')), items: items.map((a) => JSON.stringify(a)), itemsRoot, prevHash, hash };
  const [one] = items;
  if (items.length !== 1 || one === undefined) throw new MalformedRowError(`${where}: a version-1 event holds exactly one item`);
  const [recordId, ownerOrg, personId, fieldsReleased, fieldsRedacted, decision, rules] = one;
  const service = header.service;
  if (!isService(service) || !isAuditDecision(decision)) throw new MalformedRowError(`${where}: unknown service or decision`);
  const strs = (v: unknown): readonly string[] => (Array.isArray(v) && v.every((s: unknown) => typeof s === 'string') ? (v as string[]) : badItem(where));
  const optStr = (v: unknown): string | null => (v === null || typeof v === 'string' ? v : badItem(where));
  const entry = canonicalEntry(chain, seq, {
    ...header,
    service,
    recordId: optStr(recordId),
    ownerOrg: optStr(ownerOrg),
    personId: optStr(personId),
    fieldsReleased: strs(fieldsReleased),
    fieldsRedacted: strs(fieldsRedacted),
    decision,
    rules: strs(rules),
  });
  return { seq, version, header: entry, items: [JSON.stringify(one)], itemsRoot, prevHash, hash };
}

function badItem(where: string): never {
  throw new MalformedRowError(`${where}: an item is not a canonical item array`);
}

/** `items` is the JSON text of the items' canonical arrays; re-encoding each gives its exact hashed text. */
function itemsOf(value: unknown, where: string): readonly (readonly unknown[])[] {
  let parsed: unknown;
  try {
    parsed = typeof value === 'string' ? JSON.parse(value) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((a: unknown) => Array.isArray(a) && a.length === 7)) {
    throw new MalformedRowError(`${where}: "items" is not a JSON array of canonical item arrays`);
  }
  return parsed as unknown[][];
}

function subjectOf(row: Row, where: string): AuditSubject | null {
  const sub = optText(row, 'subject_sub', where);
  if (sub === null) return null;
  const roles = row['roles'];
  if (!Array.isArray(roles) || !roles.every((r: unknown) => typeof r === 'string')) throw new MalformedRowError(`${where}: roles must be text[]`);
  return { iss: text(row, 'subject_iss', where), sub, agency: text(row, 'agency', where), org: text(row, 'subject_org', where), roles: roles as string[] };
}

function text(row: Row, column: string, where: string): string {
  const value = row[column];
  if (typeof value !== 'string') throw new MalformedRowError(`${where}: ${column} must be text`);
  return value;
}

function optText(row: Row, column: string, where: string): string | null {
  const value = row[column];
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string') throw new MalformedRowError(`${where}: ${column} must be text or null`);
  return value;
}
