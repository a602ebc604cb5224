import type { GraphQLResolveInfo } from 'graphql';
import type { Released } from '../../lib/access/released.js';
import { sql } from '../../lib/store/sql.js';
import type { CbpContext } from './loaders.js';
import type { RouteRecord } from './records.js';
import { visibleNetworkId, visibleRoute } from './write-access.js';

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
  const networkId = await visibleNetworkId(context, args.networkId, 'networkId');

  await context.access.authorizeWrite('linkRouteToNetwork', 'Route', route);
  // One statement: the link and the route's updated_at change together, and only when the
  // link is new (a repeated link leaves the route as it was).
  const { now } = context;
  const linked = await context.store.query(sql`
    WITH linked AS (
      INSERT INTO cbp.route_networks (route_id, network_id, linked_at) VALUES (${route.id}, ${networkId}, ${now})
      ON CONFLICT (route_id, network_id) DO NOTHING RETURNING route_id)
    UPDATE cbp.routes SET updated_at = ${now} WHERE id IN (SELECT route_id FROM linked) RETURNING id`);
  return context.access.releaseWritten('Route', linked.length > 0 ? { ...route, updatedAt: now } : route, info);
}
