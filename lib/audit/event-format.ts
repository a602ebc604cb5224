import { hash } from 'node:crypto';
import type { AuditAction, AuditDecision, AuditSubject } from './entry.js';
import { merkleRootHex } from './merkle.js';

/**
 * The audit EVENT (SPEC section 6): the chained unit of the log. One event per request,
 * service, action and record type, holding one ITEM per record. This file is the one definition
 * of how an event is encoded and hashed; the writer, every verifier, the proof tools and the
 * stream export use it, and docs/audit.md describes it for third parties.
 *
 *   leaf(item)  = SHA-256(0x00 || UTF-8(canonicalItem(item)))          (RFC 6962 leaf)
 *   itemsRoot   = RFC 6962 Merkle tree hash over the leaves, in item order (lib/audit/merkle.ts)
 *   eventHash   = SHA-256(UTF-8(prevHash || "\n" || canonicalHeader || "\n" || hex(itemsRoot)))
 *
 * hex is lower-case; prevHash is the previous event's hash in the same chain (GENESIS_HASH, 64
 * zeros, before the first). Canonical texts are JSON arrays with every member in a fixed order
 * (no key order to disagree on), produced by JSON.stringify: no whitespace, strings escaped as
 * ECMAScript does, times as UTC ISO-8601 with milliseconds, absent values null, lists in the
 * order given. Chain id and position are in the header, so an event cannot be moved unnoticed;
 * the item count is in the header, so the tree's size is fixed by the hash too.
 *
 * Load-bearing: change nothing here without a new EVENT_FORMAT and keeping the old one
 * verifiable.
 */
export const EVENT_FORMAT = 'tributary-audit-event/2';

/** What every item of an event shares. */
export interface AuditEventHeader {
  readonly at: Date;
  readonly requestId: string;
  readonly operationName: string | null;
  readonly operationHash: string | null;
  /** null when no subject was verified (an authentication failure); `reason` then says why. */
  readonly subject: AuditSubject | null;
  readonly purpose: string | null;
  readonly justification: string | null;
  readonly action: AuditAction;
  readonly recordType: string | null;
  readonly service: string;
  readonly reason: string | null;
}

/** One record's access within an event. */
export interface AuditEventItem {
  readonly recordId: string | null;
  readonly ownerOrg: string | null;
  /** The person the record is about (a Person's own id). */
  readonly personId: string | null;
  readonly fieldsReleased: readonly string[];
  readonly fieldsRedacted: readonly string[];
  readonly decision: AuditDecision;
  readonly rules: readonly string[];
}

export function canonicalHeader(chain: string, seq: number, header: AuditEventHeader, itemCount: number): string {
  const { subject } = header;
  return JSON.stringify([
    EVENT_FORMAT,
    chain,
    seq,
    header.at.toISOString(),
    header.requestId,
    header.operationName,
    header.operationHash,
    subject?.iss ?? null,
    subject?.sub ?? null,
    subject?.agency ?? null,
    subject?.org ?? null,
    subject?.roles ?? [],
    header.purpose,
    header.justification,
    header.action,
    header.recordType,
    header.service,
    header.reason,
    itemCount,
  ]);
}

/** The JSON array an item is stored and hashed as (also the element type of an event's `items`). */
export type CanonicalItemArray = readonly [
  recordId: string | null,
  ownerOrg: string | null,
  personId: string | null,
  fieldsReleased: readonly string[],
  fieldsRedacted: readonly string[],
  decision: AuditDecision,
  rules: readonly string[],
];

export const itemArray = (item: AuditEventItem): CanonicalItemArray => [
  item.recordId,
  item.ownerOrg,
  item.personId,
  item.fieldsReleased,
  item.fieldsRedacted,
  item.decision,
  item.rules,
];

/**
 * JSON.stringify(itemArray(item)), written out by hand for the fixed shape: the writer builds one
 * per record on the request path, and the intermediate array and JSON.stringify's generic walk
 * were most of that cost. A string is emitted as-is between quotes unless it holds a character
 * JSON escapes (quote, backslash, controls) or any surrogate; those go through JSON.stringify, so
 * the output is byte for byte what JSON.stringify gives (test/audit/event-format.test.ts). The
 * decision is one of AUDIT_DECISIONS (upper-case letters and underscores), quoted as it is.
 */
export const canonicalItem = (item: AuditEventItem): string => canonicalItemWith(item, undefined);

/**
 * canonicalItem, each list's text taken from (or put in) `lists` by the list's identity when a
 * map is given: the writer passes one per append, in which the records of a page share their
 * released/redacted/rules arrays (normalizeEntries keeps them shared), so a page serializes each
 * a handful of times instead of once per record. The arrays are the writer's own copies, which
 * nothing changes.
 */
export function canonicalItemWith(item: AuditEventItem, lists: Map<readonly string[], string> | undefined): string {
  return `[${jsonString(item.recordId)},${jsonString(item.ownerOrg)},${jsonString(item.personId)},${listText(item.fieldsReleased, lists)},${listText(item.fieldsRedacted, lists)},"${item.decision}",${listText(item.rules, lists)}]`;
}

function listText(values: readonly string[], lists: Map<readonly string[], string> | undefined): string {
  if (lists === undefined) return jsonStrings(values);
  let text = lists.get(values);
  if (text === undefined) {
    text = jsonStrings(values);
    lists.set(values, text);
  }
  return text;
}

// What JSON.stringify would escape in a string: ", \, U+0000-U+001F, and lone surrogates (checked
// for any surrogate, the slow path then decides).
const JSON_ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/;

const jsonString = (value: string | null): string => (value === null ? 'null' : JSON_ESCAPED.test(value) ? JSON.stringify(value) : `"${value}"`);

function jsonStrings(values: readonly string[]): string {
  let text = '[';
  for (let i = 0; i < values.length; i += 1) text += (i === 0 ? '' : ',') + jsonString(values[i] as string);
  return `${text}]`;
}

/** hex(MTH) over the items' canonical texts. */
export const itemsRoot = (canonicalItems: readonly string[]): string => merkleRootHex(canonicalItems);

// One-shot crypto.hash, as merkle.ts: the same SHA-256 over the same UTF-8 bytes, without a Hash
// object per event (the writer hashes one per event on the request path, the verifier one per row).
export function eventHash(prevHash: string, canonicalHeaderText: string, itemsRootHex: string): string {
  return hash('sha256', `${prevHash}\n${canonicalHeaderText}\n${itemsRootHex}`, 'hex');
}

/**
 * `<chain>:<seq>.<item>`: an item's id (AccessEvent.id), item counted from 0. Events written
 * before events existed (one entry per record) hold one item, `.0`.
 */
export const itemId = (chain: string, seq: number, item: number): string => `${chain}:${seq}.${item}`;

const ITEM_ID = /^([a-z0-9][a-z0-9_.-]{0,62}):([1-9][0-9]{0,15})\.(0|[1-9][0-9]{0,8})$/;

/** Parses an AccessEvent id; null when it is not one. */
export function parseItemId(id: string): { readonly chain: string; readonly seq: number; readonly item: number } | null {
  const match = ITEM_ID.exec(id);
  if (!match) return null;
  const seq = Number(match[2]);
  if (!Number.isSafeInteger(seq)) return null;
  return { chain: match[1] as string, seq, item: Number(match[3]) };
}
