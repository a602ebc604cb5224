import type { GraphQLResolveInfo } from 'graphql';
import { listRecords } from '../../lib/access/list-records.js';
import { recordQuery, recordReference } from '../../lib/access/record-by-id.js';
import { readableRecord } from '../../lib/access/named-record.js';
import { readablePerson } from '../../lib/access/person-facts.js';
import { selectedFields } from '../../lib/access/selection.js';
import { META_INSERT_COLUMNS, metaValues } from '../../lib/access/record-meta.js';
import type { PageArgs } from '../../lib/connection.js';
import { badInput } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import type { RequestContext } from '../../lib/server/context.js';
import type { ResolverMap } from '../../lib/server/resolvers.js';
import { DateScalar, DateTimeScalar } from '../../lib/server/scalars.js';
import { sql, raw, type Sql } from '../../lib/store/sql.js';
import type { Relation } from '../../policies/decision.js';
import { optionalText, requireOrg, requireText } from '../../lib/validate.js';
import type { IceLoaders, NetworkMemberRow } from './loaders.js';
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
import { TRANSFER_STEPS, type TransferStepName } from './transfer-lifecycle.js';

type Context = RequestContext<IceLoaders>;

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

interface RequestTransferInput {
  readonly personId: string;
  readonly toOrg: string;
  readonly toFacility: string;
  readonly reason: string;
  readonly fromFacility?: string | null;
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

/** Reads a transfer the caller may see, for a write; an invisible one reads as not found. */
const visibleTransfer = (context: Context, id: string): Promise<TransferRecord> =>
  readableRecord(
    context,
    { type: 'Transfer', id, argument: 'id' },
    { select: transferSelect(context.now), idColumn: raw('t.id'), columns: transferColumns(context.now), read: readTransfer },
  );

/**
 * A transfer goes into ICE's custody (rule 9: "ICE accepts and completes them"), so `toOrg` is
 * an ICE org. A transfer to any other org would link the person to that org (linkedOrgs), which
 * would widen a third party's reads by a write it never made. Orgs are named by agency
 * (`ice-…`, SPEC 2); the federation keeps no other registry of ICE's orgs.
 */
function requireIceOrg(value: string): string {
  const org = requireOrg('toOrg', value);
  if (!org.startsWith('ice-')) {
    throw badInput(`toOrg must be an ICE org, which accepts transfers (e.g. "ice-ero-phoenix"), got "${org}"`, { argument: 'toOrg' });
  }
  return org;
}

function step(name: TransferStepName) {
  const transition = TRANSFER_STEPS[name];
  return async (_: unknown, args: { readonly id: string; readonly reason?: string | null }, context: Context, info: GraphQLResolveInfo) => {
    const current = await visibleTransfer(context, args.id);
    if (!(transition.from as readonly string[]).includes(current.status)) {
      throw badInput(`Transfer ${current.id} is ${current.status}; ${name} needs a transfer that is ${transition.from.join(' or ')}`, {
        argument: 'id',
      });
    }
    const reason = name === 'cancelTransfer' ? optionalText('reason', args.reason, 500) : null;
    await context.access.authorizeWrite(transition.action, 'Transfer', current);
    const rows = await context.store.query(
      sql`UPDATE ice.transfers SET status = ${transition.to}, ${raw(transition.stamp)} = ${context.now}, updated_at = ${context.now},
          reason = COALESCE(${reason}, reason)
          WHERE id = ${current.id} AND status = ${current.status} RETURNING id`,
    );
    if (rows.length === 0) throw badInput(`Transfer ${current.id} changed while you were updating it; read it again`);
    return context.access.releaseWritten('Transfer', await visibleTransfer(context, current.id), info);
  };
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
    requestTransfer: async (_: unknown, args: { readonly input: RequestTransferInput }, context: Context, info: GraphQLResolveInfo) => {
      const { input } = args;
      const toOrg = requireIceOrg(input.toOrg);
      const toFacility = requireText('toFacility', input.toFacility, 200);
      const reason = requireText('reason', input.reason, 500);
      const fromFacility = optionalText('fromFacility', input.fromFacility, 200);
      // Writes never widen reads (SPEC 5): only a person the caller can already read, else the
      // same "not found" as an unknown id; the transfer's link then grants nothing new.
      const person = await readablePerson(context, input.personId, 'personId');
      const { principal, now } = context;
      const record: TransferRecord = {
        id: newId('T'),
        ownerOrg: principal.org,
        ownerAgency: principal.agency,
        sensitivity: 'LAW_ENFORCEMENT_SENSITIVE',
        jurisdictions: [...principal.jurisdictions],
        // The receiving side and DHS need it; a partner's own org keeps it in view.
        disseminate: principal.agency === 'PARTNER' ? ['DHS', principal.org] : ['DHS'],
        createdAt: now,
        updatedAt: now,
        personId: person.id,
        status: 'REQUESTED',
        fromOrg: principal.org,
        fromFacility,
        toOrg,
        toFacility,
        requestedAt: now,
        acceptedAt: null,
        departedAt: null,
        completedAt: null,
        reason,
        medicalSummary: null,
        notifiableNgoOrgs: [],
      };
      await context.access.authorizeNewRecord('requestTransfer', 'Transfer', record);
      await context.store.query(sql`INSERT INTO ice.transfers
        (${META_INSERT_COLUMNS}, person_id, status,
         from_org, from_facility, to_org, to_facility, requested_at, reason)
        VALUES (${metaValues(record)}, ${record.personId}, ${record.status}, ${record.fromOrg}, ${fromFacility},
         ${toOrg}, ${toFacility}, ${now}, ${reason})`);
      return context.access.releaseWritten('Transfer', record, info);
    },
    acceptTransfer: step('acceptTransfer'),
    startTransfer: step('startTransfer'),
    completeTransfer: step('completeTransfer'),
    cancelTransfer: step('cancelTransfer'),
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
