import type { GraphQLResolveInfo } from 'graphql';
import { listRecords } from '../../lib/access/list-records.js';
import { recordQuery, recordReference, type EntityReference } from '../../lib/access/record-by-id.js';
import { selectedFields } from '../../lib/access/selection.js';
import type { PageArgs } from '../../lib/connection.js';
import { isSector } from '../../lib/domain.js';
import type { ResolverMap } from '../../lib/server/resolvers.js';
import { DateTimeScalar } from '../../lib/server/scalars.js';
import { raw, sql, type Sql } from '../../lib/store/sql.js';
import { grantConsent, revokeConsent } from './consent.js';
import { createReferral } from './create-referral.js';
import type { NgoContext } from './loaders.js';
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
  type ConsentRecord,
  type ReferralRecord,
} from './records.js';
import { updateReferralStatus } from './update-referral-status.js';

type Context = NgoContext;

interface ReferralFilter {
  readonly status?: string | null;
  readonly service?: string | null;
  readonly toOrg?: string | null;
  readonly fromOrg?: string | null;
  readonly personId?: string | null;
}

interface ProviderFilter {
  readonly sector?: string | null;
  readonly service?: string | null;
  readonly hasBeds?: boolean | null;
}

/** A Route as the gateway sends it here: `@requires(fields: "sector")` adds CBP's sector. */
interface RouteWithSector extends EntityReference<'Route'> {
  readonly sector?: string | null;
}

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

export const ngoResolvers: ResolverMap<Context> = {
  DateTime: DateTimeScalar,
  Query: {
    referral: recordQuery('referral', 'Referral'),
    referrals: (_: unknown, args: PageArgs & { readonly filter?: ReferralFilter | null }, context: Context, info: GraphQLResolveInfo) =>
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
    providers: (_: unknown, args: PageArgs & { readonly filter?: ProviderFilter | null }, context: Context, info: GraphQLResolveInfo) =>
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
    person: (referral: ReferralRecord): EntityReference<'Person'> => ({ __typename: 'Person', id: referral.personId }),
    provider: (referral: ReferralRecord, _: unknown, context: Context, info: GraphQLResolveInfo) =>
      referral.providerId === null ? null : context.loaders.provider.load({ id: referral.providerId, fields: selectedFields(info, 'Provider') }),
  },
  // Consent is a field of a referral already released (the field guard checked `consent`), so
  // its own fields need no second decision; `active` is judged at the request's time.
  Consent: {
    active: (consent: ConsentRecord, _: unknown, context: Context): boolean => isConsentActive(consent, context.now),
  },
  Provider: {
    __resolveReference: recordReference('provider', 'Provider'),
  },
  Person: {
    referrals: (person: EntityReference<'Person'>, _: unknown, context: Context, info: GraphQLResolveInfo) =>
      context.loaders.referralsOfPerson.load({ parentId: person.id, fields: selectedFields(info, 'Referral') }),
  },
  Route: {
    // A route without a (known) sector has no providers along it, rather than all of them.
    providers: (route: RouteWithSector, _: unknown, context: Context, info: GraphQLResolveInfo) =>
      isSector(route.sector) ? context.loaders.providersOfSector.load({ parentId: route.sector, fields: selectedFields(info, 'Provider') }) : [],
  },
};
