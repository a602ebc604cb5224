import { sql, type Row, type Sql } from '../store/index.js';
import { int } from './entry-row.js';
import { EVENT_COLUMNS } from './event-row.js';
import { checkEventRow, type RowCheck } from './event-verify.js';

/**
 * One stored row as the chain walk (verify.ts) needs it: its own check (event-verify.ts), and for
 * a row that is not even well formed the seq it claims, when that much can be read. This is all
 * that leaves a verify worker (verify-pool.ts), so the walk decides the same with or without them.
 */
export type CheckedRow = RowCheck & { readonly rowSeq: number | null };

export function checkRow(chain: string, row: Row): CheckedRow {
  const check = checkEventRow(chain, row);
  if (check.ok) return { ...check, rowSeq: check.seq };
  let rowSeq: number | null = null;
  try {
    rowSeq = int(row, 'seq');
  } catch {
    // The walk names the position after the last good event instead.
  }
  return { ...check, rowSeq };
}

/** A part of a chain to read: seq > after (and <= through when set), in seq order, at most limit rows. */
export interface RowRange {
  readonly chain: string;
  readonly after: number;
  readonly through: number | null;
  readonly limit: number;
}

export function rangeQuery({ chain, after, through, limit }: RowRange): Sql {
  const upTo = through === null ? sql`TRUE` : sql`e.seq <= ${through}`;
  return sql`
    SELECT ${EVENT_COLUMNS} FROM audit.events e
    WHERE e.chain = ${chain} AND e.seq > ${after} AND ${upTo}
    ORDER BY e.seq LIMIT ${limit}`;
}
