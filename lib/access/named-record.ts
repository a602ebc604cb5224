import type { ColumnMap } from './decision.js';
import type { RecordType } from '../domain.js';
import { TributaryError } from '../errors.js';
import { and, sql, type Sql } from '../store/sql.js';
import type { Queryable, Row } from '../store/store.js';
import { isRecordId } from '../validate.js';
import type { AccessFunnel } from './funnel.js';

/**
 * SPEC 5, "Writes never widen reads": a write may name only records its author can already
 * read. Every id a mutation names (a person, a transfer, a referral, a route, a network) is
 * looked up here, through the same policy filter a read by id uses, so:
 *
 * - a record the author cannot read is refused exactly like one that does not exist, and like
 *   a malformed id: the same code, message and argument (`notFound`), so no write is an oracle
 *   for which ids exist, nor for why one is hidden (1367 protection, say);
 * - a write never creates a link (a booking, a transfer, a referral, an encounter) to a record
 *   its author could not see, and so never widens what the author reads afterwards.
 *
 * The lookup runs before any other check that depends on the record (its status, rule 9,
 * jurisdiction), so what a refused write answers never depends on what the hidden record holds.
 */

/** A record a mutation names: its type, the id as the client sent it, and the argument that carried it. */
export interface NamedRecord {
  readonly type: RecordType;
  readonly id: string;
  readonly argument: string;
}

/** How one record type is read for a write: a query without WHERE, its id column and the policy's columns. */
export interface NamedRecordQuery<R> {
  /** `SELECT <columns> FROM <tables>` without WHERE. */
  readonly select: Sql;
  /** The id column, qualified (`t.id`). */
  readonly idColumn: Sql;
  /** The policy attributes of `type` as SQL over `select`'s tables (the same map its lists use). */
  readonly columns: ColumnMap;
  readonly read: (row: Row) => R;
}

export interface WriteContext {
  readonly store: Queryable;
  readonly access: AccessFunnel;
}

/**
 * The one answer for a named record the author may not use: unknown, malformed and hidden ids
 * alike. Only the id the client sent (cut short) differs between them, and the client knows it.
 */
export function notFound(named: NamedRecord): TributaryError {
  return new TributaryError('BAD_USER_INPUT', `${named.type} ${named.id.slice(0, 64)} was not found`, {
    details: { argument: named.argument },
  });
}

/** The named record when its author can read it; `notFound` otherwise. */
export async function readableRecord<R>(context: WriteContext, named: NamedRecord, query: NamedRecordQuery<R>): Promise<R> {
  const rows = isRecordId(named.id)
    ? await context.store.query(
        sql`${query.select} WHERE ${and([sql`${query.idColumn} = ${named.id}`, context.access.visibleWhere(named.type, query.columns)])}`,
      )
    : [];
  const row = rows[0];
  if (!row) throw notFound(named);
  return query.read(row);
}
