import type { GraphQLResolveInfo } from 'graphql';
import type { Released } from '../../lib/access/released.js';
import { badInput } from '../../lib/errors.js';
import { sql } from '../../lib/store/sql.js';
import { isRecordId } from '../../lib/validate.js';
import type { CbpContext } from './loaders.js';
import { networkColumns, type RouteRecord } from './records.js';
import { visibleRoute } from './write-access.js';

/**
 * `linkRouteToNetwork`: records that a network operates a route. The route must be one the
 * caller sees and may change (rule 9, action `linkRouteToNetwork`); the network one the caller
 * sees, so the mutation is no oracle for ICE's network ids. Linking twice is a no-op.
 */
export async function linkRouteToNetwork(
  _: unknown,
  args: { readonly routeId: string; readonly networkId: string },
  context: CbpContext,
  info: GraphQLResolveInfo,
): Promise<Released<RouteRecord>> {
  const route = await visibleRoute(context, args.routeId, 'routeId');
  const networks = isRecordId(args.networkId)
    ? await context.store.query(
        sql`SELECT n.id FROM ice.networks n WHERE n.id = ${args.networkId} AND ${context.access.visibleWhere('Network', networkColumns())}`,
      )
    : [];
  if (networks.length === 0) throw badInput(`Network ${args.networkId.slice(0, 64)} was not found`, { argument: 'networkId' });

  await context.access.authorizeWrite('linkRouteToNetwork', 'Route', route);
  // One statement: the link and the route's updated_at change together, and only when the
  // link is new (a repeated link leaves the route as it was).
  const { now } = context;
  const linked = await context.store.query(sql`
    WITH linked AS (
      INSERT INTO cbp.route_networks (route_id, network_id, linked_at) VALUES (${route.id}, ${args.networkId}, ${now})
      ON CONFLICT (route_id, network_id) DO NOTHING RETURNING route_id)
    UPDATE cbp.routes SET updated_at = ${now} WHERE id IN (SELECT route_id FROM linked) RETURNING id`);
  return context.access.releaseWritten('Route', linked.length > 0 ? { ...route, updatedAt: now } : route, info);
}
