import { badInput } from '../../lib/errors.js';
import { sql } from '../../lib/store/sql.js';
import { isRecordId } from '../../lib/validate.js';
import type { CbpContext } from './loaders.js';
import { ROUTE_SELECT, readRoute, routeColumns, type RouteRecord } from './records.js';

/**
 * Reads a route the caller may see, for a write. A route the policy hides reads exactly like
 * one that does not exist, so a mutation never confirms an id the caller could not read.
 */
export async function visibleRoute(context: CbpContext, id: string, argument: string): Promise<RouteRecord> {
  const rows = isRecordId(id)
    ? await context.store.query(sql`${ROUTE_SELECT} WHERE r.id = ${id} AND ${context.access.visibleWhere('Route', routeColumns())}`)
    : [];
  const row = rows[0];
  if (!row) throw badInput(`Route ${id.slice(0, 64)} was not found`, { argument });
  return readRoute(row);
}

