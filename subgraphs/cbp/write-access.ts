import { readableRecord } from '../../lib/access/named-record.js';
import { raw, sql } from '../../lib/store/sql.js';
import { text } from '../../lib/store/row.js';
import type { CbpContext } from './loaders.js';
import { NETWORK_FACTS, ROUTE_SELECT, networkColumns, readRoute, routeColumns, type RouteRecord } from './records.js';

/**
 * Reads a route the caller may see, for a write. A route the policy hides reads exactly like
 * one that does not exist, so a mutation never confirms an id the caller could not read.
 */
export const visibleRoute = (context: CbpContext, id: string, argument: string): Promise<RouteRecord> =>
  readableRecord(context, { type: 'Route', id, argument }, { select: ROUTE_SELECT, idColumn: raw('r.id'), columns: routeColumns(), read: readRoute });

/** The id of a network the caller may see (ICE's Network policy), for a write; hidden reads as not found. */
export const visibleNetworkId = (context: CbpContext, id: string, argument: string): Promise<string> =>
  readableRecord(
    context,
    { type: 'Network', id, argument },
    { select: sql`SELECT n.id FROM ${NETWORK_FACTS}`, idColumn: raw('n.id'), columns: networkColumns(), read: (row) => text(row, 'id') },
  );
