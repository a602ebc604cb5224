import { listRecords } from '../../lib/access/list-records.js';
import { entityReference, recordQuery, recordReference } from '../../lib/access/record-by-id.js';
import { selectedFields } from '../../lib/access/selection.js';
import type { EncounterFilter, Resolvers, RouteFilter } from '../../schema/generated/cbp.js';
import { DateScalar, DateTimeScalar } from '../../lib/server/scalars.js';
import { raw, sql, type Sql } from '../../lib/store/sql.js';
import { linkRouteToNetwork } from './link-route.js';
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
} from './records.js';

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

/** Checked against schema/cbp.graphql: parents are the records of records.ts (codegen mappers). */
export const cbpResolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Date: DateScalar,
  Query: {
    route: recordQuery('route', 'Route'),
    encounter: recordQuery('encounter', 'Encounter'),
    routes: (_, args, context, info) =>
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
    encounters: (_, args, context, info) =>
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
    networks: async (route, _, context) =>
      (await context.loaders.networkIdsOfRoute.load(route.id)).map((id) => ({ __typename: 'Network' as const, id })),
  },
  Encounter: {
    __resolveReference: recordReference('encounter', 'Encounter'),
    route: (encounter, _, context, info) =>
      encounter.routeId === null ? null : context.loaders.route.load({ id: encounter.routeId, fields: selectedFields(info, 'Route') }),
    // An encounter that carries only the identity its author supplied links to no person.
    person: (encounter) => entityReference('Person', encounter.personId),
  },
  Network: {
    routes: (network, _, context, info) =>
      context.loaders.routesOfNetwork.load({ parentId: network.id, fields: selectedFields(info, 'Route') }),
  },
  Person: {
    encounters: (person, _, context, info) =>
      context.loaders.encountersOfPerson.load({ parentId: person.id, fields: selectedFields(info, 'Encounter') }),
  },
};
