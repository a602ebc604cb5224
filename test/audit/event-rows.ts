import { sql, type Store } from '../../lib/store/index.js';
import { entryHash, GENESIS_HASH } from '../../lib/audit/chain.js';
import { canonicalHeader, canonicalItem, eventHash, itemArray, itemsRoot, type AuditEventHeader, type AuditEventItem } from '../../lib/audit/event-format.js';

/**
 * Writes audit events in the pinned format (lib/audit/event-format.ts) straight into
 * audit.events, chained from the chain's current head: what the writer stores, without the
 * writer, so the consumers (indexer, stream export) are tested against the format itself.
 */
export interface TestEvent {
  readonly header?: Partial<AuditEventHeader>;
  readonly items: readonly Partial<AuditEventItem>[];
}

export const SUBJECT = { iss: 'https://issuer.test', sub: 'analyst-1', agency: 'CBP', org: 'cbp-ofo', roles: ['analyst'] } as const;

export function header(overrides: Partial<AuditEventHeader> = {}): AuditEventHeader {
  return {
    at: new Date(),
    requestId: 'req-1',
    operationName: 'People',
    operationHash: null,
    subject: SUBJECT,
    purpose: 'INVESTIGATION',
    justification: null,
    action: 'READ',
    recordType: 'Person',
    service: 'cbp',
    reason: null,
    ...overrides,
  };
}

export function item(overrides: Partial<AuditEventItem> = {}): AuditEventItem {
  return { recordId: 'p-1', ownerOrg: 'cbp-ofo', personId: 'p-1', fieldsReleased: ['name'], fieldsRedacted: [], decision: 'ALLOW', rules: ['r1'], ...overrides };
}

/**
 * Appends the events after the chain's head; returns their seqs. `legacy` writes them as
 * version 1 rows (one item, hashed as a tributary-audit/1 entry), as migrated old entries are.
 */
export async function appendEvents(store: Store, chain: string, events: readonly TestEvent[], legacy = false): Promise<number[]> {
  const [head] = await store.query(sql`SELECT seq, hash FROM audit.events WHERE chain = ${chain} ORDER BY seq DESC LIMIT 1`);
  let seq = head === undefined ? 0 : Number(head['seq']);
  let prev = head === undefined ? GENESIS_HASH : String(head['hash']);
  const seqs: number[] = [];
  for (const event of events) {
    seq += 1;
    const h = header(event.header);
    const items = event.items.map((i) => item(i));
    const texts = items.map((i) => canonicalItem(i));
    const only = items[0];
    if (legacy && (items.length !== 1 || only === undefined || h.service !== 'cbp')) throw new Error('a legacy entry holds one item (service cbp here)');
    const root = legacy ? null : itemsRoot(texts);
    const hash = legacy && only !== undefined
      ? entryHash(chain, seq, { ...h, ...only, service: 'cbp' }, prev)
      : eventHash(prev, canonicalHeader(chain, seq, h, items.length), root ?? '');
    const s = h.subject;
    await store.query(sql`
      INSERT INTO audit.events (chain, seq, version, at, request_id, operation_name, operation_hash, subject_iss, subject_sub,
        agency, subject_org, roles, purpose, justification, action, record_type, service, reason, item_count, items,
        items_root, prev_hash, hash)
      VALUES (${chain}, ${seq}, ${legacy ? 1 : 2}, ${h.at}, ${h.requestId}, ${h.operationName}, ${h.operationHash}, ${s?.iss ?? null},
        ${s?.sub ?? null}, ${s?.agency ?? null}, ${s?.org ?? null}, ${[...(s?.roles ?? [])]}::text[], ${h.purpose},
        ${h.justification}, ${h.action}, ${h.recordType}, ${h.service}, ${h.reason}, ${items.length},
        ${JSON.stringify(items.map((i) => itemArray(i)))}, ${root}, ${prev}, ${hash})`);
    seqs.push(seq);
    prev = hash;
  }
  return seqs;
}
