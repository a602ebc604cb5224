import type { GraphQLResolveInfo } from 'graphql';
import { listRecords } from '../../lib/access/list-records.js';
import { entityReference, recordQuery, recordReference, type EntityReference } from '../../lib/access/record-by-id.js';
import { selectedFields } from '../../lib/access/selection.js';
import type { PageArgs } from '../../lib/connection.js';
import type { ResolverMap } from '../../lib/server/resolvers.js';
import { DateScalar, DateTimeScalar } from '../../lib/server/scalars.js';
import { raw, sql, type Sql } from '../../lib/store/sql.js';
import { linkRouteToNetwork } from './link-route.js';
import type { CbpContext } from './loaders.js';
import { recordEncounter } from './record-encounter.js';
import {
  ENCOUNTER_FROM,
  ENCOUNTER_SELECT,
  ROUTE_FROM,
  ROUTE_SELECT,
  encounterColumns,
  readEncounter,
  readRoute,
  routeColumns,
  type EncounterRecord,
  type RouteRecord,
} from './records.js';

type Context = CbpContext;

interface RouteFilter {
  readonly sector?: string | null;
  readonly modality?: string | null;
  readonly activityLevel?: string | null;
  readonly seenAfter?: Date | null;
}

interface EncounterFilter {
  readonly sector?: string | null;
  readonly station?: string | null;
  readonly disposition?: string | null;
  readonly personId?: string | null;
  readonly routeId?: string | null;
  readonly occurredAfter?: Date | null;
  readonly occurredBefore?: Date | null;
}

function routeFilters(filter: RouteFilter | null | undefined): Sql[] {
  const conditions: Sql[] = [];
  if (filter?.sector) conditions.push(sql`r.sector = ${filter.sector}`);
  if (filter?.modality) conditions.push(sql`r.modality = ${filter.modality}`);
  if (filter?.activityLevel) conditions.push(sql`r.activity_level = ${filter.activityLevel}`);
  if (filter?.seenAfter) conditions.push(sql`r.last_seen_at >= ${filter.seenAfter}`);
  return conditions;
}

function encounterFilters(filter: EncounterFilter | null | undefined): Sql[] {
  const conditions: Sql[] = [];
  if (filter?.sector) conditions.push(sql`e.sector = ${filter.sector}`);
  if (filter?.station) conditions.push(sql`e.station = ${filter.station}`);
  if (filter?.disposition) conditions.push(sql`e.disposition = ${filter.disposition}`);
  if (filter?.personId) conditions.push(sql`e.person_id = ${filter.personId}`);
  if (filter?.routeId) conditions.push(sql`e.route_id = ${filter.routeId}`);
  if (filter?.occurredAfter) conditions.push(sql`e.occurred_at >= ${filter.occurredAfter}`);
  if (filter?.occurredBefore) conditions.push(sql`e.occurred_at < ${filter.occurredBefore}`);
  return conditions;
}

export const cbpResolvers: ResolverMap<Context> = {
  DateTime: DateTimeScalar,
  Date: DateScalar,
  Query: {
    route: recordQuery('route', 'Route'),
    encounter: recordQuery('encounter', 'Encounter'),
    routes: (_: unknown, args: PageArgs & { readonly filter?: RouteFilter | null }, context: Context, info: GraphQLResolveInfo) =>
      listRecords(
        context,
        'Route',
        {
          select: ROUTE_SELECT,
          from: ROUTE_FROM,
          columns: routeColumns(),
          idColumn: raw('r.id'),
          filters: routeFilters(args.filter),
          read: readRoute,
        },
        args,
        info,
      ),
    encounters: (_: unknown, args: PageArgs & { readonly filter?: EncounterFilter | null }, context: Context, info: GraphQLResolveInfo) =>
      listRecords(
        context,
        'Encounter',
        {
          select: ENCOUNTER_SELECT,
          from: ENCOUNTER_FROM,
          columns: encounterColumns(),
          idColumn: raw('e.id'),
          filters: encounterFilters(args.filter),
          read: readEncounter,
        },
        args,
        info,
      ),
  },
  Mutation: {
    recordEncounter,
    linkRouteToNetwork,
  },
  Route: {
    __resolveReference: recordReference('route', 'Route'),
    networks: async (route: RouteRecord, _: unknown, context: Context): Promise<EntityReference<'Network'>[]> =>
      (await context.loaders.networkIdsOfRoute.load(route.id)).map((id) => ({ __typename: 'Network', id })),
  },
  Encounter: {
    __resolveReference: recordReference('encounter', 'Encounter'),
    route: (encounter: EncounterRecord, _: unknown, context: Context, info: GraphQLResolveInfo) =>
      encounter.routeId === null ? null : context.loaders.route.load({ id: encounter.routeId, fields: selectedFields(info, 'Route') }),
    // An encounter that carries only the identity its author supplied links to no person.
    person: (encounter: EncounterRecord): EntityReference<'Person'> | null => entityReference('Person', encounter.personId),
  },
  Network: {
    routes: (network: EntityReference<'Network'>, _: unknown, context: Context, info: GraphQLResolveInfo) =>
      context.loaders.routesOfNetwork.load({ parentId: network.id, fields: selectedFields(info, 'Route') }),
  },
  Person: {
    encounters: (person: EntityReference<'Person'>, _: unknown, context: Context, info: GraphQLResolveInfo) =>
      context.loaders.encountersOfPerson.load({ parentId: person.id, fields: selectedFields(info, 'Encounter') }),
  },
};
