import { listRecords } from '../../lib/access/list-records.js';
import { recordQuery, recordReference } from '../../lib/access/record-by-id.js';
import { selectedFields } from '../../lib/access/selection.js';
import type { ProviderFilter, ReferralFilter, Resolvers } from '../../schema/generated/ngo.js';
import { isSector } from '../../lib/domain.js';
import { DateTimeScalar } from '../../lib/server/scalars.js';
import { raw, sql, type Sql } from '../../lib/store/sql.js';
import { grantConsent, revokeConsent } from './consent.js';
import { createReferral } from './create-referral.js';
import {
  PROVIDER_FROM,
  PROVIDER_SELECT,
  REFERRAL_FROM,
  REFERRAL_SELECT,
  isConsentActive,
  providerColumns,
  readProvider,
  readReferral,
  referralColumns,
} from './records.js';
import { updateReferralStatus } from './update-referral-status.js';

function referralFilters(filter: ReferralFilter | null | undefined): Sql[] {
  const conditions: Sql[] = [];
  if (filter?.status) conditions.push(sql`r.status = ${filter.status}`);
  if (filter?.service) conditions.push(sql`r.service = ${filter.service}`);
  if (filter?.toOrg) conditions.push(sql`r.to_org = ${filter.toOrg}`);
  if (filter?.fromOrg) conditions.push(sql`r.from_org = ${filter.fromOrg}`);
  if (filter?.personId) conditions.push(sql`r.person_id = ${filter.personId}`);
  return conditions;
}

function providerFilters(filter: ProviderFilter | null | undefined): Sql[] {
  const conditions: Sql[] = [];
  if (filter?.sector) conditions.push(sql`pv.sector = ${filter.sector}`);
  if (filter?.service) conditions.push(sql`${filter.service} = ANY(pv.services)`);
  if (filter?.hasBeds === true) conditions.push(sql`pv.beds_available > 0`);
  if (filter?.hasBeds === false) conditions.push(sql`pv.beds_available = 0`);
  return conditions;
}

/** Checked against schema/ngo.graphql: parents are the records of records.ts (codegen mappers). */
export const ngoResolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    referral: recordQuery('referral', 'Referral'),
    referrals: (_, args, context, info) =>
      listRecords(
        context,
        'Referral',
        {
          select: REFERRAL_SELECT,
          from: REFERRAL_FROM,
          columns: referralColumns(),
          idColumn: raw('r.id'),
          filters: referralFilters(args.filter),
          read: readReferral,
        },
        args,
        info,
      ),
    providers: (_, args, context, info) =>
      listRecords(
        context,
        'Provider',
        {
          select: PROVIDER_SELECT,
          from: PROVIDER_FROM,
          columns: providerColumns(),
          idColumn: raw('pv.id'),
          filters: providerFilters(args.filter),
          read: readProvider,
        },
        args,
        info,
      ),
  },
  Mutation: {
    createReferral,
    updateReferralStatus,
    grantConsent,
    revokeConsent,
  },
  Referral: {
    __resolveReference: recordReference('referral', 'Referral'),
    person: (referral) => ({ __typename: 'Person' as const, id: referral.personId }),
    provider: (referral, _, context, info) =>
      referral.providerId === null ? null : context.loaders.provider.load({ id: referral.providerId, fields: selectedFields(info, 'Provider') }),
  },
  // Consent is a field of a referral already released (the field guard checked `consent`), so
  // its own fields need no second decision; `active` is judged at the request's time.
  Consent: {
    active: (consent, _, context) => isConsentActive(consent, context.now),
  },
  Provider: {
    __resolveReference: recordReference('provider', 'Provider'),
  },
  Person: {
    referrals: (person, _, context, info) =>
      context.loaders.referralsOfPerson.load({ parentId: person.id, fields: selectedFields(info, 'Referral') }),
  },
  Route: {
    // A route without a (known) sector has no providers along it, rather than all of them.
    providers: (route, _, context, info) =>
      isSector(route.sector) ? context.loaders.providersOfSector.load({ parentId: route.sector, fields: selectedFields(info, 'Provider') }) : [],
  },
};
