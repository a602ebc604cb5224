import type { AuditEntry } from '../../lib/audit/entry.js';
import { int, MalformedRowError } from '../../lib/audit/entry-row.js';
import { eventColumns, parseEventRow, parseItems, type StoredEvent } from '../../lib/audit/event-row.js';
import { itemId, type AuditEventItem } from '../../lib/audit/event-format.js';
import { splitItems } from '../../lib/audit/items-scan.js';
import { isOneOf, SERVICES } from '../../lib/domain.js';
import { sql, type Row, type Sql } from '../../lib/store/index.js';

/**
 * How the API reads per record (issue 12): `audit.access_items` (alias `e`, one row per item,
 * filled off the request path by the background indexer, which verified each event first)
 * FINDS the items, with its auditor indexes and keyset (at, chain, seq, item); the items
 * themselves are then taken from their event in `audit.events` (alias `ev`), the hashed source,
 * never from the index's copy. So the index only decides what is listed, not what it says.
 */
export const ITEM_SOURCE: Sql = sql`audit.access_items e JOIN audit.events ev ON ev.chain = e.chain AND ev.seq = e.seq`;

/** Select list for ITEM_SOURCE: the item's index, then its event's columns. */
export const ITEM_COLUMNS: Sql = sql`e.item AS item_index, ${eventColumns('ev')}`;

const isServiceName = isOneOf(SERVICES);

/**
 * The rows of a per-item query as AuditEntry, in the rows' order. Only the items listed are
 * parsed: an event's items text is split once per page (items-scan.ts, no parse), its header
 * read once per page, and each listed item parsed on its own. A page about one person
 * lists one item from each of 100 events of ~100 items: parsing every item of each was most
 * of the request's CPU (bench/audit-scale.ts). A text the scanner does not accept is parsed
 * whole, as before, and fails the same way when malformed.
 */
export function entriesOf(rows: readonly Row[]): AuditEntry[] {
  // Per event on the page: the event read once, with only the first listed item's text in
  // place of all of them (or whole when the scanner refused it), and its items' texts.
  const events = new Map<string, { readonly event: StoredEvent; readonly texts: readonly string[] | null }>();
  return rows.map((row) => {
    const key = `${String(row['chain'])}:${String(row['seq'])}`;
    const index = int(row, 'item_index');
    let known = events.get(key);
    if (known === undefined) {
      const texts = typeof row['items'] === 'string' ? splitItems(row['items']) : null;
      const listed = texts?.[index];
      known = { texts, event: parseEventRow(listed === undefined ? row : { ...row, items: `[${listed}]` }) };
      events.set(key, known);
    }
    const { event, texts } = known;
    const text = texts?.[index];
    let item: AuditEventItem | undefined;
    let itemCount: number;
    if (texts !== null) {
      item = text === undefined ? undefined : parseItems(`[${text}]`, `event ${key}`).items[0];
      itemCount = texts.length;
    } else {
      item = event.items[index];
      itemCount = event.items.length;
    }
    const { header } = event;
    const { service } = header;
    if (item === undefined) throw new MalformedRowError(`audit index names ${itemId(event.chain, event.seq, index)}, which its event does not hold`);
    if (!isServiceName(service)) throw new MalformedRowError(`event ${key}: unknown service ${service}`);
    return {
      ...header,
      service,
      ...item,
      id: itemId(event.chain, event.seq, index),
      chain: event.chain,
      seq: event.seq,
      item: index,
      itemCount,
      prevHash: event.prevHash,
      hash: event.hash,
    };
  });
}
