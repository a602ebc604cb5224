import { DEFAULT_PAGE_SIZE, pageSizeLimit } from '../../lib/connection.js';
import { badInput } from '../../lib/errors.js';
import { and, join, sql, type Queryable, type Sql } from '../../lib/store/index.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { isAuditAction, isAuditDecision, type AuditEntry } from '../../lib/audit/entry.js';
import { int } from '../../lib/audit/entry-row.js';
import { entriesOf, ITEM_COLUMNS } from './items.js';
import type { AccessLogFilter } from '../../schema/generated/audit.js';

/**
 * The `accessLog` filter of SPEC 7 (plus personId and requestId), as generated from the SDL.
 * Absent and null both mean "any"; `from` is inclusive, `to` exclusive.
 */
export type { AccessLogFilter };

export interface PageRequest {
  /** Default 50, at most the operator's `LIMIT_MAX_PAGE_SIZE` (500 unless set; SPEC 8). */
  readonly first?: number | null;
  /** An `endCursor` (or edge cursor) of a previous page. */
  readonly after?: string | null;
}

export interface AccessLogPage {
  readonly entries: readonly AuditEntry[];
  /** The same entries with their cursors, for Relay edges. */
  readonly edges: readonly { readonly cursor: string; readonly node: AuditEntry }[];
  /** Entries matching the filter, on every page (ignores `after`). */
  readonly totalCount: number;
  readonly hasNextPage: boolean;
  readonly endCursor: string | null;
}

/**
 * The access log, one entry per item, newest first, keyset-paginated on (at, chain, seq, item)
 * over the per-item index (audit.access_items; see items.ts): a page costs an index range scan
 * however deep it is, and entries appended meanwhile never shift the pages already read. The
 * index is filled after the commit: callers wait for it first (loaders.ts, waitForIndex).
 */
export async function queryAccessLog(
  store: Queryable,
  limits: { readonly maxPageSize: number },
  filter: AccessLogFilter = {},
  page: PageRequest = {},
): Promise<AccessLogPage> {
  const first = page.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0) {
    throw badInput(`"first" must be a whole number from 0 to ${limits.maxPageSize}`, { first: String(first) });
  }
  // The same limit and code as every other connection (lib/connection.ts) and the gateway.
  if (first > limits.maxPageSize) throw pageSizeLimit(first, limits.maxPageSize);
  const { parts, rest } = filterParts(filter);
  const after = page.after === null || page.after === undefined ? null : decodeCursor(page.after);
  const keyset = after === null ? sql`TRUE` : sql`(e.at, e.chain, e.seq, e.item) < (${after.at}, ${after.chain}, ${after.seq}, ${after.item})`;
  const newestFirst = sql`ORDER BY e.at DESC, e.chain DESC, e.seq DESC, e.item DESC`;
  const byEvent = eventConditions(filter);
  const { found, count } =
    byEvent === null
      ? {
          // Each part finds its page by its own index, newest first, in a subquery of its own (so the
          // planner cannot trade the index for a scan of everything the filter matches); the parts are
          // disjoint, so their union holds every item once, and their counts add up.
          found: join(
            parts.map((part) => sql`(SELECT e.* FROM audit.access_items e WHERE ${part} AND ${rest} AND ${keyset} ${newestFirst} LIMIT ${first + 1})`),
            ' UNION ALL ',
          ),
          count: sql`SELECT ${join(parts.map((part) => sql`(SELECT count(*) FROM audit.access_items e WHERE ${part} AND ${rest})`), ' + ')} AS total`,
        }
      : eventPath(byEvent, rest, keyset, after, first);
  const [rows, counted] = await Promise.all([
    store.query(sql`
      SELECT ${ITEM_COLUMNS} FROM (${found}) e JOIN audit.events ev ON ev.chain = e.chain AND ev.seq = e.seq
      ${newestFirst}
      LIMIT ${first + 1}`),
    store.query(count),
  ]);
  const edges = entriesOf(rows.slice(0, first)).map((entry) => ({ cursor: encodeCursor(entry), node: entry }));
  const total = counted[0];
  return {
    entries: edges.map((edge) => edge.node),
    edges,
    totalCount: total === undefined ? 0 : int(total, 'total'),
    hasNextPage: rows.length > first,
    endCursor: edges.at(-1)?.cursor ?? null,
  };
}

/**
 * How a filter finds its events in the per-event indexes (migration 013): `header`, the
 * conditions on an event's header its item 0 row stands for there (subject, org, agency,
 * request; `h` is that row), and `perItem`, whether the filter also judges an item's own columns
 * (its decision), so that not every item of a matching event matches. Null when the filter is
 * better served per item: a person (its own indexes) or a record id (one record's few items,
 * however busy the subject), or none of the four (the time index). Every other condition
 * (purpose, action, record type, time) is the same for all items of an event.
 */
interface EventConditions {
  readonly header: readonly Sql[];
  readonly perItem: boolean;
}

function eventConditions(filter: AccessLogFilter): EventConditions | null {
  if (filter.personId !== null && filter.personId !== undefined) return null;
  if (filter.recordId !== null && filter.recordId !== undefined) return null;
  const header: Sql[] = [];
  if (filter.subjectSub !== null && filter.subjectSub !== undefined) header.push(sql`h.subject_sub = ${filter.subjectSub}`);
  if (filter.subjectOrg !== null && filter.subjectOrg !== undefined) header.push(sql`h.subject_org = ${filter.subjectOrg}`);
  if (filter.agency !== null && filter.agency !== undefined) header.push(sql`h.agency = ${filter.agency}`);
  if (filter.requestId !== null && filter.requestId !== undefined) header.push(sql`h.request_id = ${filter.requestId}`);
  return header.length === 0 ? null : { header, perItem: filter.decision !== null && filter.decision !== undefined };
}

/**
 * A page and its count found by event: the events whose header matches, newest first from the
 * per-event index, then their items by the primary key, each item judged by the whole filter.
 * Items share their event's time, so (h.at, h.chain, h.seq, e.item) orders them exactly as the
 * per-item keyset (at, chain, seq, item) does, and the same cursors page both. When only the
 * header is filtered, every item of a matching event matches, and the count is the events' own
 * item counts: a busy subject's count reads its events, not each of their items.
 */
function eventPath(
  byEvent: EventConditions,
  rest: Sql,
  keyset: Sql,
  after: { readonly at: Date; readonly chain: string; readonly seq: number } | null,
  first: number,
): { readonly found: Sql; readonly count: Sql } {
  const events = and([sql`h.item = 0`, ...byEvent.header]);
  const fromEvent = after === null ? sql`TRUE` : sql`(h.at, h.chain, h.seq) <= (${after.at}, ${after.chain}, ${after.seq})`;
  const items = sql`audit.access_items h JOIN audit.access_items e ON e.chain = h.chain AND e.seq = h.seq`;
  return {
    found: sql`(SELECT e.* FROM ${items} WHERE ${events} AND ${fromEvent} AND ${rest} AND ${keyset}
      ORDER BY h.at DESC, h.chain DESC, h.seq DESC, e.item DESC LIMIT ${first + 1})`,
    count: byEvent.perItem
      ? sql`SELECT count(*) AS total FROM ${items} WHERE ${events} AND ${rest}`
      : // rest holds the header conditions too, on alias e: with e the event's item 0 they find
        // the events by the same per-event index, and no second look-up of that row is needed.
        sql`SELECT coalesce(sum(ev.item_count), 0) AS total
          FROM audit.access_items e JOIN audit.events ev ON ev.chain = e.chain AND ev.seq = e.seq
          WHERE e.item = 0 AND ${rest}`,
  };
}

/** The filter as SQL conditions on alias `e` (an access_items row); validated here because it comes from clients. */
export function filterConditions(filter: AccessLogFilter): Sql {
  const { parts, rest } = filterParts(filter);
  return parts.length === 1 ? and([...parts, rest]) : and([sql`(${join(parts, ' OR ')})`, rest]);
}

/**
 * The filter as disjoint parts (any row matches at most one) AND the rest. One part (TRUE)
 * unless personId is set: an item is about person P when its person_id is P, or when it is P's
 * own Person record; the second part excludes what the first holds, so each can be counted
 * and paged from an index of its own (access_items_person, access_items_person_record).
 */
export function filterParts(filter: AccessLogFilter): { readonly parts: readonly Sql[]; readonly rest: Sql } {
  const conditions: Sql[] = [];
  const text = (value: string | null | undefined, column: Sql): void => {
    if (value === null || value === undefined) return;
    if (typeof value !== 'string') throw badInput('access log filter values must be strings');
    conditions.push(sql`${column} = ${value}`);
  };
  text(filter.subjectSub, sql`e.subject_sub`);
  text(filter.subjectOrg, sql`e.subject_org`);
  text(filter.agency, sql`e.agency`);
  text(filter.recordType, sql`e.record_type`);
  text(filter.recordId, sql`e.record_id`);
  text(filter.purpose, sql`e.purpose`);
  text(filter.requestId, sql`e.request_id`);
  let parts: readonly Sql[] = [sql`TRUE`];
  if (filter.personId !== null && filter.personId !== undefined) {
    if (typeof filter.personId !== 'string') throw badInput('access log filter values must be strings');
    const person = filter.personId;
    parts = [sql`e.person_id = ${person}`, sql`e.record_type = 'Person' AND e.record_id = ${person} AND e.person_id IS DISTINCT FROM ${person}`];
  }
  if (filter.decision !== null && filter.decision !== undefined) {
    if (!isAuditDecision(filter.decision)) throw badInput('unknown decision in access log filter', { decision: String(filter.decision) });
    conditions.push(sql`e.decision = ${filter.decision}`);
  }
  if (filter.action !== null && filter.action !== undefined) {
    if (!isAuditAction(filter.action)) throw badInput('unknown action in access log filter', { action: String(filter.action) });
    conditions.push(sql`e.action = ${filter.action}`);
  }
  conditions.push(...rangeConditions(filter));
  return { parts, rest: and(conditions) };
}

/** `from` inclusive, `to` exclusive. */
export function rangeConditions(range: { readonly from?: Date | null; readonly to?: Date | null }): Sql[] {
  const conditions: Sql[] = [];
  for (const [name, value] of [['from', range.from], ['to', range.to]] as const) {
    if (value === null || value === undefined) continue;
    if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw badInput(`"${name}" must be a valid time`);
    conditions.push(name === 'from' ? sql`e.at >= ${value}` : sql`e.at < ${value}`);
  }
  return conditions;
}
