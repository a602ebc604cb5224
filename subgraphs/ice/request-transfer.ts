import type { GraphQLResolveInfo } from 'graphql';
import { readablePerson } from '../../lib/access/person-facts.js';
import { META_INSERT_COLUMNS, metaValues } from '../../lib/access/record-meta.js';
import { badInput } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { sql } from '../../lib/store/sql.js';
import { optionalText, requireOrg, requireText } from '../../lib/validate.js';
import type { MutationRequestTransferArgs } from '../../schema/generated/ice.js';
import type { IceContext } from './loaders.js';
import type { TransferRecord } from './records.js';

type Context = IceContext;

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

/**
 * `requestTransfer`: asks ICE to take a person into custody; the transfer starts REQUESTED and
 * moves on through the steps of transfer-steps.ts.
 */
export async function requestTransfer(_: unknown, args: MutationRequestTransferArgs, context: Context, info: GraphQLResolveInfo) {
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
}
