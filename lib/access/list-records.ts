import type { GraphQLResolveInfo } from 'graphql';
import type { ColumnMap, PolicyRecord } from './decision.js';
import { readPage, toConnection, type Connection, type PageArgs } from '../connection.js';
import type { RecordType } from '../domain.js';
import { and, raw, sql, type Sql } from '../store/sql.js';
import type { Queryable, Row } from '../store/store.js';
import type { AccessFunnel } from './funnel.js';
import type { Released } from './released.js';
import { selectedFields, selectsField } from './selection.js';

export interface ListQuery<R> {
  /** `SELECT <columns> FROM <tables>` without WHERE: the columns must include `id`. */
  readonly select: Sql;
  /** Table and joins, for the count: `FROM <schema>.<table> t`. */
  readonly from: Sql;
  /** SQL for each policy attribute of the listed type (the policy engine's REQUIRED_COLUMNS). */
  readonly columns: ColumnMap;
  /** The id column, qualified (`t.id`): pages are ordered and cut by it. */
  readonly idColumn: Sql;
  /** The caller's filter arguments, already turned into conditions. */
  readonly filters: readonly Sql[];
  readonly read: (row: Row) => R;
}

/**
 * A page of visible records: the policy's SQL filter narrows in the database (so a page of 50
 * visible records is never built by fetching and discarding thousands), `totalCount` counts
 * visible records only and is computed only when asked for, and the page passes the funnel.
 */
export async function listRecords<T extends RecordType, R extends PolicyRecord<T> & { readonly id: string }>(
  context: { readonly store: Queryable; readonly access: AccessFunnel; readonly maxPageSize: number },
  type: T,
  query: ListQuery<R>,
  args: PageArgs,
  info: GraphQLResolveInfo,
): Promise<Connection<Released<R>>> {
  const page = readPage(type, args, context.maxPageSize);
  const visible = context.access.visibleWhere(type, query.columns);
  const where = and([visible, ...query.filters]);
  const after = page.afterId === null ? [] : [sql`${query.idColumn} > ${page.afterId}`];
  // The page size in the text, not a parameter (readPage made it a whole number): with LIMIT $n
  // PostgreSQL's generic plan assumes a tenth of the table, so it kept planning the statement
  // afresh on every call (profiled: one plan per call, ~0.3 ms each, for the transfers page);
  // with the number in the text the prepared statement settles on one plan per page size.
  const limit = raw(String(page.limit));
  const wantsCount = selectsField(info, 'totalCount');
  const [rows, count] = await Promise.all([
    page.size === 0
      ? Promise.resolve([] as Row[])
      : context.store.query(sql`${query.select} WHERE ${and([where, ...after])} ORDER BY ${query.idColumn} LIMIT ${limit}`),
    wantsCount ? context.store.query(sql`SELECT count(*)::int AS n ${query.from} WHERE ${where}`) : Promise.resolve([{ n: -1 }]),
  ]);
  const records = rows.map(query.read);
  const fields = selectedFields(info, type);
  const released = await context.access.release(type, records.slice(0, page.size).map((record) => ({ record, fields })));
  const nodes = released.filter((record): record is Released<R> => record !== null);
  return toConnection(type, page, nodes, rows.length, Number(count[0]?.n ?? 0));
}
