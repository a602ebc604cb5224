import type { GraphQLResolveInfo } from 'graphql';
import { listRecords } from '../../lib/access/list-records.js';
import { recordQuery, recordReference } from '../../lib/access/record-by-id.js';
import { selectedFields } from '../../lib/access/selection.js';
import type { PageArgs } from '../../lib/connection.js';
import type { ResolverMap } from '../../lib/server/resolvers.js';
import { DateScalar, DateTimeScalar } from '../../lib/server/scalars.js';
import { sql, raw, type Sql } from '../../lib/store/sql.js';
import type { Relation } from '../../lib/access/decision.js';
import type { IceContext, NetworkMemberRow } from './loaders.js';
import {
  NETWORK_FROM,
  NETWORK_SELECT,
  TRANSFER_FROM,
  networkColumns,
  readNetwork,
  readTransfer,
  reviewCutoff,
  transferColumns,
  transferSelect,
  type NetworkRecord,
  type PersonRecord,
  type TransferRecord,
} from './records.js';
import { requestTransfer } from './request-transfer.js';
import { transferStep } from './transfer-steps.js';

type Context = IceContext;

interface NetworkFilter {
  readonly sector?: string | null;
  readonly kind?: string | null;
  readonly status?: string | null;
  readonly threatLevel?: string | null;
  readonly reviewRequired?: boolean | null;
}

interface TransferFilter {
  readonly status?: string | null;
  readonly fromOrg?: string | null;
  readonly toOrg?: string | null;
  readonly personId?: string | null;
  readonly requestedAfter?: Date | null;
  readonly requestedBefore?: Date | null;
}

function networkFilters(filter: NetworkFilter | null | undefined, now: Date): Sql[] {
  const conditions: Sql[] = [];
  if (filter?.sector) conditions.push(sql`${filter.sector} = ANY(n.sectors)`);
  if (filter?.kind) conditions.push(sql`n.kind = ${filter.kind}`);
  if (filter?.status) conditions.push(sql`n.status = ${filter.status}`);
  if (filter?.threatLevel) conditions.push(sql`n.threat_level = ${filter.threatLevel}`);
  if (filter?.reviewRequired === true) conditions.push(sql`n.last_validated_at < ${reviewCutoff(now)}`);
  if (filter?.reviewRequired === false) conditions.push(sql`n.last_validated_at >= ${reviewCutoff(now)}`);
  return conditions;
}

function transferFilters(filter: TransferFilter | null | undefined): Sql[] {
  const conditions: Sql[] = [];
  if (filter?.status) conditions.push(sql`t.status = ${filter.status}`);
  if (filter?.fromOrg) conditions.push(sql`t.from_org = ${filter.fromOrg}`);
  if (filter?.toOrg) conditions.push(sql`t.to_org = ${filter.toOrg}`);
  if (filter?.personId) conditions.push(sql`t.person_id = ${filter.personId}`);
  if (filter?.requestedAfter) conditions.push(sql`t.requested_at >= ${filter.requestedAfter}`);
  if (filter?.requestedBefore) conditions.push(sql`t.requested_at < ${filter.requestedBefore}`);
  return conditions;
}

export const iceResolvers: ResolverMap<Context> = {
  DateTime: DateTimeScalar,
  Date: DateScalar,
  Query: {
    network: recordQuery('network', 'Network'),
    person: recordQuery('person', 'Person'),
    transfer: recordQuery('transfer', 'Transfer'),
    networks: (_: unknown, args: PageArgs & { readonly filter?: NetworkFilter | null }, context: Context, info: GraphQLResolveInfo) =>
      listRecords(
        context,
        'Network',
        {
          select: NETWORK_SELECT,
          from: NETWORK_FROM,
          columns: networkColumns(),
          idColumn: raw('n.id'),
          filters: networkFilters(args.filter, context.now),
          read: (row) => readNetwork(row, context.now),
        },
        args,
        info,
      ),
    transfers: (_: unknown, args: PageArgs & { readonly filter?: TransferFilter | null }, context: Context, info: GraphQLResolveInfo) =>
      listRecords(
        context,
        'Transfer',
        {
          select: transferSelect(context.now),
          from: TRANSFER_FROM,
          columns: transferColumns(context.now),
          idColumn: raw('t.id'),
          filters: transferFilters(args.filter),
          read: readTransfer,
        },
        args,
        info,
      ),
  },
  Mutation: {
    requestTransfer,
    acceptTransfer: transferStep('acceptTransfer'),
    startTransfer: transferStep('startTransfer'),
    completeTransfer: transferStep('completeTransfer'),
    cancelTransfer: transferStep('cancelTransfer'),
  },
  Network: {
    __resolveReference: recordReference('network', 'Network'),
    members: async (network: NetworkRecord, _: unknown, context: Context) => {
      const members = await context.loaders.membersOfNetwork.load(network.id);
      const relation = { parentType: 'Network' as const, parent: network, field: 'members' };
      return members.map((member) => ({ ...member, relation }));
    },
  },
  NetworkMember: {
    // A member's person is released on its own, with the network as its relation: rule 3 lets
    // a partner see members' PII only under that network's dissemination.
    person: (member: NetworkMemberRow & { readonly relation: Relation }, _: unknown, context: Context, info: GraphQLResolveInfo) =>
      context.loaders.person.load({ id: member.personId, fields: selectedFields(info, 'Person'), relation: member.relation }),
  },
  Person: {
    __resolveReference: recordReference('person', 'Person'),
    transfers: (person: PersonRecord, _: unknown, context: Context, info: GraphQLResolveInfo) =>
      context.loaders.transfersOfPerson.load({ parentId: person.id, fields: selectedFields(info, 'Transfer') }),
  },
  Transfer: {
    __resolveReference: recordReference('transfer', 'Transfer'),
    person: (transfer: TransferRecord, _: unknown, context: Context, info: GraphQLResolveInfo) =>
      context.loaders.person.load({ id: transfer.personId, fields: selectedFields(info, 'Person') }),
  },
};
