import { listRecords } from '../../lib/access/list-records.js';
import { recordQuery, recordReference } from '../../lib/access/record-by-id.js';
import { selectedFields } from '../../lib/access/selection.js';
import type { NetworkFilter, Resolvers, TransferFilter } from '../../schema/generated/ice.js';
import { DateScalar, DateTimeScalar } from '../../lib/server/scalars.js';
import { sql, raw, type Sql } from '../../lib/store/sql.js';
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
} from './records.js';
import { requestTransfer } from './request-transfer.js';
import { transferStep } from './transfer-steps.js';

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

/** Checked against schema/ice.graphql: parents are the records of records.ts (codegen mappers). */
export const iceResolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Date: DateScalar,
  Query: {
    network: recordQuery('network', 'Network'),
    person: recordQuery('person', 'Person'),
    transfer: recordQuery('transfer', 'Transfer'),
    networks: (_, args, context, info) =>
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
    transfers: (_, args, context, info) =>
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
    members: async (network, _, context) => {
      const members = await context.loaders.membersOfNetwork.load(network.id);
      const relation = { parentType: 'Network' as const, parent: network, field: 'members' };
      return members.map((member) => ({ ...member, relation }));
    },
  },
  NetworkMember: {
    // A member's person is released on its own, with the network as its relation: rule 3 lets
    // a partner see members' PII only under that network's dissemination.
    person: (member, _, context, info) =>
      context.loaders.person.load({ id: member.personId, fields: selectedFields(info, 'Person'), relation: member.relation }),
  },
  Person: {
    __resolveReference: recordReference('person', 'Person'),
    transfers: (person, _, context, info) =>
      context.loaders.transfersOfPerson.load({ parentId: person.id, fields: selectedFields(info, 'Transfer') }),
  },
  Transfer: {
    __resolveReference: recordReference('transfer', 'Transfer'),
    person: (transfer, _, context, info) =>
      context.loaders.person.load({ id: transfer.personId, fields: selectedFields(info, 'Person') }),
  },
};
