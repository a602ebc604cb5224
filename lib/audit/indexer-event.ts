import { isOneOf, SERVICES } from '../domain.js';
import { raw, type Row, type Sql } from '../store/index.js';
import { entryHash, isHash } from './chain.js';
import { isAuditAction, isAuditDecision, type AuditSubject } from './entry.js';
import { date, int, MalformedRowError, optStr, str, strings as strs } from './entry-row.js';
import { canonicalHeader, canonicalItem, eventHash, itemsRoot, type AuditEventHeader, type AuditEventItem } from './event-format.js';
import { splitItems } from './items-scan.js';
import type { ChainProblem } from './verify.js';

/**
 * One row of audit.events as the indexer (and the stream export) reads it, checked against the
 * pinned format (event-format.ts) before anything of it is trusted: the items' Merkle root, the
 * event hash, and the link to the previous event's hash. Rows enter as unknown; a value no
 * writer could have stored is reported MALFORMED at that event instead of throwing past it.
 */
export const EVENT_COLUMNS: Sql = raw(
  `e.chain, e.seq, e.version, e.at, e.request_id, e.operation_name, e.operation_hash, e.subject_iss, e.subject_sub,
   e.agency, e.subject_org, e.roles, e.purpose, e.justification, e.action, e.record_type, e.service, e.reason,
   e.item_count, e.items, e.items_root, e.prev_hash, e.hash`,
);

export interface StoredEvent {
  readonly chain: string;
  readonly seq: number;
  readonly version: 1 | 2;
  readonly header: AuditEventHeader;
  readonly items: readonly AuditEventItem[];
  /** The `items` column exactly as stored (the stream carries these bytes). */
  readonly itemsText: string;
  readonly itemsRoot: string | null;
  readonly prevHash: string;
  readonly hash: string;
}

export type EventCheck =
  | { readonly ok: true; readonly event: StoredEvent }
  | { readonly ok: false; readonly problem: ChainProblem; readonly brokenAt: string; readonly reason: string };

// The same error as every other reader of audit rows (entry-row.ts), so the readers are shared.
const Malformed = MalformedRowError;

const isServiceName = isOneOf(SERVICES);

/**
 * Verifies one stored event given the hash its predecessor ended with. `ok` only when the row
 * is well formed, links to `prevHash`, and its hash recomputes from its own header and items.
 */
export function checkEvent(row: Row, prevHash: string): EventCheck {
  const chain = typeof row['chain'] === 'string' ? row['chain'] : '?';
  const seqValue = Number(row['seq']);
  const where = `${chain}:${String(row['seq'])}`;
  // Breaks are named by the event (`<chain>:<seq>`, as verifyChains names them): the hashed
  // unit. Which item of an event changed cannot be known: the hash covers only the root of
  // their tree, and the original leaves are gone.
  const brokenAt = where;
  let event: StoredEvent;
  try {
    event = parseEventRow(row);
  } catch (error) {
    if (!(error instanceof Malformed)) throw error;
    return { ok: false, problem: 'MALFORMED', brokenAt, reason: `event ${where}: ${error.message}` };
  }
  if (event.prevHash !== prevHash) {
    return {
      ok: false,
      problem: 'REORDERED',
      brokenAt,
      reason: `event ${where} links to ${event.prevHash.slice(0, 12)}…, but the event before it ends with ${prevHash.slice(0, 12)}…`,
    };
  }
  if (event.version === 1) {
    // A legacy entry (one record), hashed as tributary-audit/1 (lib/audit/chain.ts).
    const item = event.items[0] as AuditEventItem;
    const service = event.header.service;
    if (!isServiceName(service)) return { ok: false, problem: 'MALFORMED', brokenAt, reason: `event ${where}: unknown service ${service}` };
    const expected = entryHash(chain, seqValue, { ...event.header, ...item, service }, prevHash);
    return expected === event.hash ? { ok: true, event } : altered(brokenAt, `legacy entry ${where} no longer matches its hash`);
  }
  // The stored items' texts are hashed as they are when the scanner accepts them (the writer
  // stores the canonical texts, lib/audit/items-scan.ts); the re-serialized items are the
  // fallback, so a row the full verifier accepts is accepted here too.
  const stored = splitItems(event.itemsText);
  let root = stored === null ? '' : itemsRoot(stored);
  if (root !== event.itemsRoot) root = itemsRoot(event.items.map((item) => canonicalItem(item)));
  const expected = eventHash(prevHash, canonicalHeader(chain, seqValue, event.header, event.items.length), root);
  if (expected === event.hash && root === event.itemsRoot) return { ok: true, event };
  if (root !== event.itemsRoot) {
    return altered(brokenAt, `event ${where}: its items no longer produce the items root its hash covers`);
  }
  return altered(brokenAt, `event ${where}: its header no longer matches its hash`);
}

const altered = (brokenAt: string, reason: string): EventCheck => ({ ok: false, problem: 'ALTERED', brokenAt, reason });

export function parseEventRow(row: Row): StoredEvent {
  const chain = str(row, 'chain');
  const seq = int(row, 'seq');
  const version = int(row, 'version');
  if (version !== 1 && version !== 2) throw new Malformed(`unknown version ${version}`);
  const action = row['action'];
  if (!isAuditAction(action)) throw new Malformed(`unknown action ${String(action)}`);
  const iss = optStr(row, 'subject_iss');
  const sub = optStr(row, 'subject_sub');
  const agency = optStr(row, 'agency');
  const org = optStr(row, 'subject_org');
  const roles = strs(row['roles'], 'roles');
  let subject: AuditSubject | null = null;
  if (iss !== null || sub !== null || agency !== null || org !== null || roles.length > 0) {
    if (iss === null || sub === null || agency === null || org === null) throw new Malformed('subject is partly null');
    subject = { iss, sub, agency, org, roles };
  }
  const header: AuditEventHeader = {
    at: date(row, 'at'),
    requestId: str(row, 'request_id'),
    operationName: optStr(row, 'operation_name'),
    operationHash: optStr(row, 'operation_hash'),
    subject,
    purpose: optStr(row, 'purpose'),
    justification: optStr(row, 'justification'),
    action,
    recordType: optStr(row, 'record_type'),
    service: str(row, 'service'),
    reason: optStr(row, 'reason'),
  };
  const itemsText = str(row, 'items');
  const items = parseItems(itemsText);
  if (items.length !== int(row, 'item_count')) throw new Malformed(`holds ${items.length} items, item_count says ${String(row['item_count'])}`);
  if (version === 1 && items.length !== 1) throw new Malformed('a legacy entry holds exactly one item');
  const root = optStr(row, 'items_root');
  const prevHash = row['prev_hash'];
  const hash = row['hash'];
  if (!isHash(prevHash) || !isHash(hash) || (root !== null && !isHash(root))) throw new Malformed('malformed hash');
  return { chain, seq, version, header, items, itemsText, itemsRoot: root, prevHash, hash };
}

function parseItems(text: string): AuditEventItem[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Malformed('items are not JSON');
  }
  if (!Array.isArray(parsed) || parsed.length === 0) throw new Malformed('items must be a non-empty JSON array');
  return parsed.map((value: unknown, i: number): AuditEventItem => {
    if (!Array.isArray(value) || value.length !== 7) throw new Malformed(`item ${i} is not a 7-member array`);
    const [recordId, ownerOrg, personId, released, redacted, decision, rules] = value as unknown[];
    if (!isAuditDecision(decision)) throw new Malformed(`item ${i}: unknown decision ${String(decision)}`);
    return {
      recordId: optText(recordId, `item ${i} recordId`),
      ownerOrg: optText(ownerOrg, `item ${i} ownerOrg`),
      personId: optText(personId, `item ${i} personId`),
      fieldsReleased: strs(released, `item ${i} fieldsReleased`),
      fieldsRedacted: strs(redacted, `item ${i} fieldsRedacted`),
      decision,
      rules: strs(rules, `item ${i} rules`),
    };
  });
}

function optText(value: unknown, what: string): string | null {
  if (value === null) return null;
  if (typeof value !== 'string') throw new Malformed(`${what} must be a string or null`);
  return value;
}
