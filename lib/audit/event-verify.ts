import type { Row } from '../store/index.js';
import { isHash } from './chain.js';
import { isAuditAction } from './entry.js';
import { eventMismatch, parseEventRow } from './event-row.js';
import { canonicalHeader, eventHash, itemsRoot, type AuditEventHeader } from './event-format.js';
import { splitItems } from './items-scan.js';

/** One stored row of `audit.events` checked against its own hash (links are the caller's). */
export type RowCheck =
  | {
      readonly ok: true;
      readonly seq: number;
      readonly version: 1 | 2;
      readonly prevHash: string;
      readonly hash: string;
      readonly itemCount: number;
      /** Why the row does not match its own hash, or null when it does. */
      readonly mismatch: string | null;
    }
  | { readonly ok: false; readonly reason: string };

/**
 * Recomputes the row's hash. The fast path (an intact version-2 event, i.e. nearly every row)
 * reads the header columns as they are and hashes the items' stored texts directly (items-scan.ts),
 * with no parse of the items and no objects per item. Any doubt (a legacy row, a value of an
 * unexpected type, a text the scanner does not accept, a hash that does not match) goes to the
 * full parse, which reports the row as MALFORMED or says what no longer matches. A row accepted
 * by the fast path hashes to what its writer hashed, so the full parse would accept it too.
 */
export function checkEventRow(chain: string, row: Row): RowCheck {
  return fastCheck(chain, row) ?? fullCheck(chain, row);
}

function fullCheck(chain: string, row: Row): RowCheck {
  let event;
  try {
    event = parseEventRow(row);
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
  return { ok: true, seq: event.seq, version: event.version, prevHash: event.prevHash, hash: event.hash, itemCount: event.items.length, mismatch: eventMismatch(chain, event) };
}

/** The intact version-2 row's check, or null to take the full path. */
function fastCheck(chain: string, row: Row): RowCheck | null {
  const { version, seq: seqValue, at, action, service, roles, items, item_count: itemCount, items_root: root, prev_hash: prevHash, hash } = row;
  if (Number(version) !== 2 || !(at instanceof Date) || !isAuditAction(action) || typeof service !== 'string' || typeof items !== 'string') return null;
  if (!isHash(root) || !isHash(prevHash) || !isHash(hash) || !Array.isArray(roles)) return null;
  const seq = Number(seqValue);
  if (!Number.isSafeInteger(seq) || seq < 1) return null;
  const iss = optText(row['subject_iss']);
  const sub = optText(row['subject_sub']);
  const agency = optText(row['agency']);
  const org = optText(row['subject_org']);
  const requestId = row['request_id'];
  if (iss === undefined || sub === undefined || agency === undefined || org === undefined || typeof requestId !== 'string') return null;
  // A subject is all four columns or none (with no roles); anything between is the full path's MALFORMED.
  let subject: AuditEventHeader['subject'] = null;
  if (iss !== null && sub !== null && agency !== null && org !== null) subject = { iss, sub, agency, org, roles: roles as string[] };
  else if (iss !== null || sub !== null || agency !== null || org !== null || roles.length > 0) return null;
  const operationName = optText(row['operation_name']);
  const operationHash = optText(row['operation_hash']);
  const purpose = optText(row['purpose']);
  const justification = optText(row['justification']);
  const recordType = optText(row['record_type']);
  const reason = optText(row['reason']);
  if (operationName === undefined || operationHash === undefined || purpose === undefined || justification === undefined || recordType === undefined || reason === undefined) return null;
  if (!roles.every((role: unknown) => typeof role === 'string')) return null;
  const texts = splitItems(items);
  if (texts === null || Number(itemCount) !== texts.length) return null;
  if (itemsRoot(texts) !== root) return null;
  const header: AuditEventHeader = { at, requestId, operationName, operationHash, subject, purpose, justification, action, recordType, service: service as AuditEventHeader['service'], reason };
  if (eventHash(prevHash, canonicalHeader(chain, seq, header, texts.length), root) !== hash) return null;
  return { ok: true, seq, version: 2, prevHash, hash, itemCount: texts.length, mismatch: null };
}

/** A text column's value, null, or undefined when it is neither (the full path then reports it). */
function optText(value: unknown): string | null | undefined {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : undefined;
}
