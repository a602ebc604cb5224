import type { GraphQLResolveInfo } from 'graphql';
import type { Released } from '../../lib/access/released.js';
import { isSector } from '../../lib/domain.js';
import { badInput } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { readablePerson } from '../../lib/access/person-facts.js';
import { META_INSERT_COLUMNS, metaValues } from '../../lib/access/record-meta.js';
import { text, textArray } from '../../lib/store/row.js';
import { sql } from '../../lib/store/sql.js';
import { optionalText, requireOrg } from '../../lib/validate.js';
import type { NgoContext } from './loaders.js';
import { ReferralServiceValues, type MutationCreateReferralArgs, type ReferralService } from '../../schema/generated/ngo.js';
import { isReferralService, type ReferralRecord } from './records.js';

const MAX_NOTES = 4000;

interface ServiceSite {
  readonly id: string;
  readonly sector: string;
}

/**
 * `createReferral`: any agency refers a person to an NGO (rule 9; the policy's `canWrite`
 * says who, asked with the record as it will be stored).
 *
 * An NGO is an org that runs service sites: `toOrg` must own a provider in `ngo.providers`
 * offering the service asked for. The provider list is the NGO registry this federation has,
 * so a referral can neither go to an org that is not an NGO nor to one that cannot serve it;
 * an `ngo-` prefix alone would accept a typo and leave a referral nobody holds.
 *
 * The receiving NGO holds the referral (owner = `toOrg`, agency NGO); the sender is `fromOrg`.
 * It starts OPEN at the NGO's site for that service in one of the sender's sectors, and without
 * consent: until the client grants some, nobody beyond the two parties is granted anything. A
 * referral to an NGO with no such site in the sender's sectors would lie outside the sender's
 * jurisdictions and is refused (FORBIDDEN, rule writes.own-jurisdictions).
 */
export async function createReferral(
  _: unknown,
  args: MutationCreateReferralArgs,
  context: NgoContext,
  info: GraphQLResolveInfo,
): Promise<Released<ReferralRecord>> {
  const { input } = args;
  const { principal, now } = context;
  const toOrg = requireOrg('toOrg', input.toOrg);
  // An NGO holding a referral to itself could then record its own consent to transfer
  // notification and read the person's transfers (rule 4): a write widening its author's reads.
  // A referral goes from one party to another; an NGO's own clients come to it by other referrals.
  if (toOrg === principal.org) throw badInput('toOrg is your own org: a referral goes to another NGO', { argument: 'toOrg' });
  const service = input.service;
  if (!isReferralService(service)) throw badInput(`service must be one of ${ReferralServiceValues.join(', ')}`, { argument: 'service' });
  const notes = optionalText('notes', input.notes, MAX_NOTES);
  // Writes never widen reads (SPEC 5): only a person the caller can already read, else the same
  // "not found" as an unknown id. The 1367 flag read with it sets the referral's sensitivity and
  // is never shown to the caller.
  const [person, sites] = await Promise.all([
    readablePerson(context, input.personId, 'personId'),
    context.store.query(sql`SELECT id, sector, services FROM ngo.providers WHERE owner_org = ${toOrg} AND owner_agency = 'NGO' ORDER BY id`),
  ]);
  const site = chooseSite(toOrg, service, sites, principal.jurisdictions);
  const { protected1367 } = person;

  const record: ReferralRecord = {
    id: newId('RF'),
    ownerOrg: toOrg,
    ownerAgency: 'NGO',
    // A 1367 victim's referral is the most restricted record the federation holds (rule 6).
    sensitivity: protected1367 ? 'RESTRICTED' : 'SENSITIVE',
    jurisdictions: [site.sector],
    // Consent, not dissemination, decides who beyond the two parties sees a referral (rule 5).
    disseminate: [],
    createdAt: now,
    updatedAt: now,
    personId: person.id,
    fromOrg: principal.org,
    toOrg,
    protected1367,
    service,
    status: 'OPEN',
    providerId: site.id,
    notes,
    circumstances: null,
    consent: null,
  };
  // The referral lies at the chosen site's sector, which must be one of the caller's (SPEC 5).
  await context.access.authorizeNewRecord('createReferral', 'Referral', record);
  await context.store.query(sql`INSERT INTO ngo.referrals
    (${META_INSERT_COLUMNS}, person_id, from_org, to_org,
     service, status, provider_id, notes)
    VALUES (${metaValues(record)}, ${record.personId}, ${record.fromOrg}, ${toOrg}, ${service}, ${record.status},
     ${site.id}, ${notes})`);
  return context.access.releaseWritten('Referral', record, info);
}

function chooseSite(
  toOrg: string,
  service: ReferralService,
  rows: readonly Readonly<Record<string, unknown>>[],
  callerJurisdictions: readonly string[],
): ServiceSite {
  if (rows.length === 0) {
    throw badInput(`toOrg "${toOrg}" is not an NGO running service sites here (e.g. "ngo-desert-refuge"); referrals go to NGOs`, {
      argument: 'toOrg',
    });
  }
  const offering = rows
    .map((row) => ({ id: text(row, 'id'), sector: text(row, 'sector'), services: textArray(row, 'services') }))
    .filter((site) => site.services.includes(service));
  if (offering.length === 0) {
    const offered = [...new Set(rows.flatMap((row) => textArray(row, 'services')))].sort();
    throw badInput(`${toOrg} does not offer ${service}; it offers ${offered.join(', ') || 'no services'}`, { argument: 'service' });
  }
  const sectors = callerJurisdictions.filter(isSector);
  const site = offering.find((candidate) => (sectors as readonly string[]).includes(candidate.sector)) ?? offering[0];
  if (!site) throw new Error('unreachable: offering is not empty');
  return { id: site.id, sector: site.sector };
}
