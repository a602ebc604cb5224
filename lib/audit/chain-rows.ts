import { join, list, raw, sql, type Queryable, type Sql } from '../store/index.js';
import { arrayLiteral, element } from './array-literal.js';
import { GENESIS_HASH, isHash } from './chain.js';
import { int } from './entry-row.js';
import type { PreparedEvent } from './event-build.js';
import { canonicalHeader, eventHash } from './event-format.js';

export interface ChainHead {
  readonly seq: number;
  readonly hash: string;
}

/**
 * The events of one commit chained from `from`: every column but `items` (EVENT_COLUMN_TYPES
 * order) as one PostgreSQL array literal, and the events' `items` texts as they are.
 */
export interface ChainedRows {
  readonly from: ChainHead;
  readonly last: ChainHead;
  readonly columns: readonly string[];
  readonly items: readonly string[];
}

/**
 * The columns of `audit.events` an append writes after `chain`, in the order of
 * `audit.append_events`'s parameters (migration 005), each with the type its values travel as.
 * roles (text[]) travels as text, one array literal per event, because unnest() of a 2-D array
 * cannot carry ragged rows; the function casts it back per row. `items` is not among them: it
 * travels as one parameter per event (appendRows), because inside an array literal every quote
 * of its JSON had to be escaped by Node and unescaped by PostgreSQL, the largest per-record
 * cost of the append after hashing (profiled: bench/results/audit-events.md).
 */
const EVENT_COLUMN_TYPES = [
  ['seq', 'bigint'],
  ['at', 'timestamptz'],
  ['request_id', 'text'],
  ['operation_name', 'text'],
  ['operation_hash', 'text'],
  ['subject_iss', 'text'],
  ['subject_sub', 'text'],
  ['agency', 'text'],
  ['subject_org', 'text'],
  ['roles', 'text[]'],
  ['purpose', 'text'],
  ['justification', 'text'],
  ['action', 'text'],
  ['record_type', 'text'],
  ['service', 'text'],
  ['reason', 'text'],
  ['item_count', 'integer'],
  ['items_root', 'text'],
  ['prev_hash', 'text'],
  ['hash', 'text'],
] as const;

/** Gives each event its seq and links it: hash = SHA-256(prev || header || items root) (event-format.ts). */
export function chainRows(chain: string, from: ChainHead, events: readonly PreparedEvent[]): ChainedRows {
  // One list of literals per column, joined once: no growing string per value.
  const columns: string[][] = EVENT_COLUMN_TYPES.map(() => []);
  const items: string[] = [];
  // The events of one commit mostly repeat their header values (subject, purpose, operation,
  // service, reason): each distinct value is escaped once per commit, not once per event.
  const escaped = new Map<string, string>();
  const once = (value: string | null): string => {
    if (value === null) return 'NULL';
    let literal = escaped.get(value);
    if (literal === undefined) {
      literal = element(value);
      escaped.set(value, literal);
    }
    return literal;
  };
  let { seq, hash } = from;
  events.forEach((event) => {
    seq += 1;
    const prevHash = hash;
    const { header } = event;
    hash = eventHash(prevHash, canonicalHeader(chain, seq, header, event.itemCount), event.itemsRoot);
    const { subject } = header;
    const row = [
      String(seq),
      element(header.at.toISOString()),
      element(header.requestId),
      once(header.operationName),
      once(header.operationHash),
      once(subject?.iss ?? null),
      once(subject?.sub ?? null),
      once(subject?.agency ?? null),
      once(subject?.org ?? null),
      element(arrayLiteral(subject?.roles ?? [])),
      once(header.purpose),
      once(header.justification),
      once(header.action),
      once(header.recordType),
      once(header.service),
      once(header.reason),
      String(event.itemCount),
      element(event.itemsRoot),
      element(prevHash),
      element(hash),
    ];
    row.forEach((value, column) => {
      columns[column]?.push(value);
    });
    items.push(event.items);
  });
  return { from, last: { seq, hash }, columns: columns.map((column) => `{${column.join(',')}}`), items };
}

/**
 * One call of `audit.append_events` for any number of events: every column travels as one
 * array parameter, turned back into rows by unnest() in the database (measured cheaper than
 * jsonb_to_recordset by bench/), except `items`: one text parameter per event, gathered by an
 * ARRAY[...] constructor, sent and stored byte for byte as hashed with no escaping on either side.
 */
export async function appendRows(db: Queryable, chain: string, rows: ChainedRows): Promise<{ appended: boolean }> {
  const array = (i: number): Sql => {
    const [, type] = EVENT_COLUMN_TYPES[i] as (typeof EVENT_COLUMN_TYPES)[number];
    return sql`${rows.columns[i]}::${raw(type === 'text[]' ? 'text' : type)}[]`;
  };
  // append_events' parameter order: ..., item_count, items, items_root, ... (migration 005).
  const itemsAt = EVENT_COLUMN_TYPES.findIndex(([name]) => name === 'items_root');
  const before = EVENT_COLUMN_TYPES.slice(0, itemsAt).map((_, i) => array(i));
  const after = EVENT_COLUMN_TYPES.slice(itemsAt).map((_, i) => array(itemsAt + i));
  const arrays = join([...before, sql`ARRAY[${list(rows.items)}]::text[]`, ...after]);
  const result = await db.query(sql`SELECT appended FROM audit.append_events(${chain}, ${rows.from.seq}, ${rows.from.hash}, ${arrays})`);
  return { appended: result[0]?.['appended'] === true };
}

/**
 * Takes the chain's append lock for the rest of the transaction and returns its head (seq 0 and
 * the genesis hash for a new chain). See audit.lock_chain in migration 005.
 */
export async function lockChain(tx: Queryable, chain: string): Promise<ChainHead> {
  const rows = await tx.query(sql`SELECT head_seq, head_hash FROM audit.lock_chain(${chain})`);
  const head = rows[0];
  if (head === undefined || head['head_seq'] === null) return { seq: 0, hash: GENESIS_HASH };
  const hash = head['head_hash'];
  if (!isHash(hash)) throw new Error(`audit chain ${chain}: the head's hash is malformed`);
  return { seq: int(head, 'head_seq'), hash };
}
