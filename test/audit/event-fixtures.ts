import { arrayLiteral } from '../../lib/audit/array-literal.js';
import { canonicalEntry, chainHash, GENESIS_HASH } from '../../lib/audit/chain.js';
import { recordCheckpoints, signCheckpoint, type Checkpoint } from '../../lib/audit/checkpoints.js';
import type { AuditContent } from '../../lib/audit/entry.js';
import { canonicalHeader, canonicalItem, eventHash, itemArray, itemsRoot, type AuditEventHeader, type AuditEventItem } from '../../lib/audit/event-format.js';
import type { AuditSigningKey } from '../../lib/audit/signing-key.js';
import { sql, type Queryable } from '../../lib/store/index.js';

/**
 * Events written straight into `audit.events` in the pinned format (lib/audit/event-format.ts,
 * migration 003), hashed here from the format's own functions: the proofs are built and checked
 * against the table as the writer (issue 12, EVENTS) fills it, independently of that writer.
 */

export function aHeader(overrides: Partial<AuditEventHeader> = {}): AuditEventHeader {
  return {
    at: new Date('2026-12-07T09:30:00.123Z'),
    requestId: 'req-00000001',
    operationName: 'RoutesInSector',
    operationHash: 'a'.repeat(64),
    subject: { iss: 'tributary-dev-issuer', sub: 'analyst@cbp-tucson', agency: 'CBP', org: 'cbp-tucson', roles: ['analyst'] },
    purpose: 'INTERDICTION',
    justification: null,
    action: 'READ',
    recordType: 'Route',
    service: 'cbp',
    reason: null,
    ...overrides,
  };
}

export const items = (count: number, from = 1): AuditEventItem[] =>
  Array.from({ length: count }, (_, i) => ({
    recordId: `route-${from + i}`,
    ownerOrg: 'cbp-tucson',
    personId: i % 3 === 0 ? `person-${from + i}` : null,
    fieldsReleased: ['id', 'name', 'sector'],
    fieldsRedacted: i % 2 === 0 ? [] : ['notes'],
    decision: i % 2 === 0 ? 'ALLOW' : 'PARTIAL',
    rules: ['owner.core'],
  }));

export type FixtureEvent =
  | { readonly version: 2; readonly header: AuditEventHeader; readonly items: readonly AuditEventItem[] }
  /** A legacy entry (one record, hashed as tributary-audit/1). */
  | { readonly version: 1; readonly content: AuditContent };

/** Appends events after the chain's head; returns the seqs written. */
export async function appendEvents(store: Queryable, chain: string, events: readonly FixtureEvent[]): Promise<number[]> {
  const [head] = await store.query(sql`SELECT seq, hash FROM audit.events WHERE chain = ${chain} ORDER BY seq DESC LIMIT 1`);
  let seq = head === undefined ? 0 : Number(head['seq']);
  let prev = head === undefined ? GENESIS_HASH : String(head['hash']);
  const written: number[] = [];
  for (const event of events) {
    seq += 1;
    const header: AuditEventHeader = event.version === 2 ? event.header : event.content;
    const list: readonly AuditEventItem[] = event.version === 2 ? event.items : [event.content];
    const root = event.version === 2 ? itemsRoot(list.map(canonicalItem)) : null;
    const hash = event.version === 2 ? eventHash(prev, canonicalHeader(chain, seq, header, list.length), root ?? '') : chainHash(canonicalEntry(chain, seq, event.content), prev);
    const s = header.subject;
    await store.query(sql`
      INSERT INTO audit.events (chain, seq, version, at, request_id, operation_name, operation_hash, subject_iss, subject_sub, agency,
        subject_org, roles, purpose, justification, action, record_type, service, reason, item_count, items, items_root, prev_hash, hash)
      VALUES (${chain}, ${seq}, ${event.version}, ${header.at.toISOString()}, ${header.requestId}, ${header.operationName}, ${header.operationHash},
        ${s?.iss ?? null}, ${s?.sub ?? null}, ${s?.agency ?? null}, ${s?.org ?? null}, ${arrayLiteral(s?.roles ?? [])}::text[], ${header.purpose},
        ${header.justification}, ${header.action}, ${header.recordType}, ${header.service}, ${header.reason}, ${list.length},
        ${JSON.stringify(list.map(itemArray))}, ${root}, ${prev}, ${hash})`);
    written.push(seq);
    prev = hash;
  }
  return written;
}

/** Signs and stores a checkpoint of the chain's current head (as the checkpointer does). */
export async function checkpointHead(store: Queryable, key: AuditSigningKey, chain: string): Promise<Checkpoint> {
  const [head] = await store.query(sql`SELECT seq, hash FROM audit.events WHERE chain = ${chain} ORDER BY seq DESC LIMIT 1`);
  if (head === undefined) throw new Error(`checkpointHead: chain ${chain} has no events`);
  const checkpoint = await signCheckpoint(key, { chain, seq: Number(head['seq']), headHash: String(head['hash']), at: new Date(), kind: 'PERIODIC' });
  await recordCheckpoints(store, [checkpoint]);
  return checkpoint;
}

/** A legacy entry's content (version 1). */
export function legacyContent(recordId: string, overrides: Partial<AuditContent> = {}): AuditContent {
  const header = aHeader();
  const [item] = items(1);
  return { ...header, service: 'cbp', ...(item as AuditEventItem), recordId, personId: 'person-9', ...overrides };
}
