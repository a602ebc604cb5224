import DataLoader from 'dataloader';
import { releasedGroups, releasedRowsById, type GroupKey, type RecordKey } from '../../lib/access/released-loaders.js';
import type { Released } from '../../lib/access/released.js';
import { idIn } from '../../lib/access/record-meta.js';
import type { RequestContext } from '../../lib/server/context.js';
import type { LoaderDeps } from '../../lib/server/subgraph.js';
import { and, raw, sql } from '../../lib/store/sql.js';
import { text } from '../../lib/store/row.js';
import {
  ENCOUNTER_SELECT,
  NETWORK_FACTS,
  ROUTE_SELECT,
  encounterColumns,
  networkColumns,
  readEncounter,
  readRoute,
  routeColumns,
  type EncounterRecord,
  type RouteRecord,
} from './records.js';

export interface CbpLoaders {
  readonly route: DataLoader<RecordKey, Released<RouteRecord> | null, string>;
  readonly encounter: DataLoader<RecordKey, Released<EncounterRecord> | null, string>;
  /** Network.routes: the routes linked to each network the caller may see, narrowed by the Route policy in SQL. */
  readonly routesOfNetwork: DataLoader<GroupKey, Released<RouteRecord>[], string>;
  /** Person.encounters, narrowed by the Encounter policy in SQL. */
  readonly encountersOfPerson: DataLoader<GroupKey, Released<EncounterRecord>[], string>;
  /** Route.networks: ids of linked networks the caller may see (ICE releases each). */
  readonly networkIdsOfRoute: DataLoader<string, string[], string>;
}

export type CbpContext = RequestContext<CbpLoaders>;

export function cbpLoaders({ store, access }: LoaderDeps): CbpLoaders {
  return {
    route: releasedRowsById('Route', access, store, { select: ROUTE_SELECT, idColumn: raw('r.id'), read: readRoute }),
    encounter: releasedRowsById('Encounter', access, store, { select: ENCOUNTER_SELECT, idColumn: raw('e.id'), read: readEncounter }),
    // Only for networks the policy lets ICE release to this caller: which routes a network runs
    // is about the network, and a representation sent straight to this subgraph must not learn
    // it for a network the caller may not see (an NGO, say, never sees one).
    routesOfNetwork: releasedGroups('Route', access, async (networkIds) => {
      const visible = access.visibleWhere('Route', routeColumns());
      const networkVisible = access.visibleWhere('Network', networkColumns());
      const rows = await store.query(
        sql`SELECT r.*, rn.network_id AS linked_network_id FROM cbp.route_networks rn JOIN cbp.routes r ON r.id = rn.route_id
            JOIN ${NETWORK_FACTS} ON n.id = rn.network_id
            WHERE ${and([idIn(raw('rn.network_id'), networkIds), visible, networkVisible])} ORDER BY r.id`,
      );
      return rows.map((row) => ({ parentId: text(row, 'linked_network_id'), record: readRoute(row) }));
    }),
    encountersOfPerson: releasedGroups('Encounter', access, async (personIds) => {
      const visible = access.visibleWhere('Encounter', encounterColumns());
      const rows = await store.query(sql`${ENCOUNTER_SELECT} WHERE ${and([idIn(raw('e.person_id'), personIds), visible])} ORDER BY e.id`);
      return rows.map((row) => ({ parentId: text(row, 'person_id'), record: readEncounter(row) }));
    }),
    // The links are a field of a route already released. Each network is then released by its
    // owner (ICE) when the gateway resolves the reference; only networks the policy lets ICE
    // release to this caller are named, because `[Network!]` cannot hold a withheld one and a
    // hidden network's id must not leave through a route.
    networkIdsOfRoute: new DataLoader<string, string[], string>(async (routeIds) => {
      const visible = access.visibleWhere('Network', networkColumns());
      const rows = await store.query(
        sql`SELECT rn.route_id, rn.network_id FROM cbp.route_networks rn JOIN ${NETWORK_FACTS} ON n.id = rn.network_id
            WHERE ${and([idIn(raw('rn.route_id'), routeIds), visible])} ORDER BY rn.network_id`,
      );
      // Grouped in one pass: a page of 500 routes must not scan every link 500 times.
      const byRoute = new Map<string, string[]>();
      for (const row of rows) {
        const routeId = text(row, 'route_id');
        const group = byRoute.get(routeId);
        if (group) group.push(text(row, 'network_id'));
        else byRoute.set(routeId, [text(row, 'network_id')]);
      }
      return routeIds.map((id) => byRoute.get(id) ?? []);
    }),
  };
}
