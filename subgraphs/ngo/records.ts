import type { ConsentAttributes, PolicyAttributes } from '../../lib/access/decision.js';
import { protected1367 } from '../../lib/access/person-facts.js';
import { metaColumns, readMeta } from '../../lib/access/record-meta.js';
import { SECTORS, isOneOf, isPurpose, type Purpose, type Sector } from '../../lib/domain.js';
import { bool, date, dateOrNull, int, oneOf, text, textArray, textOrNull } from '../../lib/store/row.js';
import { raw, sql, type Sql } from '../../lib/store/sql.js';
import type { Row } from '../../lib/store/store.js';
import type { EntityReference } from '../../lib/access/record-by-id.js';
import { ReferralServiceValues, ReferralStatusValues, type ReferralService, type ReferralStatus } from '../../schema/generated/ngo.js';

/** The NGOs' records as resolvers and the policy engine see them: schema fields plus policy facts. */

export const isReferralService = isOneOf(ReferralServiceValues);
export const isReferralStatus = isOneOf(ReferralStatusValues);

/** A Route as the gateway sends it here: `@requires(fields: "sector")` adds CBP's sector. */
export interface RouteWithSector extends EntityReference<'Route'> {
  readonly sector?: string | null;
}

/** The client's consent: the policy facts (ConsentAttributes) plus when it was given. */
export interface ConsentRecord extends ConsentAttributes {
  readonly purposes: readonly Purpose[];
  readonly grantedAt: Date;
}

/** Granted, unexpired and unrevoked at `now` (the request's time, never the clock's). */
export const isConsentActive = (consent: ConsentAttributes, now: Date): boolean =>
  consent.revokedAt === null && (consent.expiresAt === null || consent.expiresAt.getTime() > now.getTime());

export interface ReferralRecord extends Readonly<PolicyAttributes['Referral']> {
  readonly service: ReferralService;
  readonly status: ReferralStatus;
  readonly providerId: string | null;
  /** NGO_CONFIDENTIAL. */
  readonly notes: string | null;
  /** NGO_CONFIDENTIAL. */
  readonly circumstances: string | null;
  /** Null until the client first grants consent: nobody beyond the two parties is granted anything. */
  readonly consent: ConsentRecord | null;
}

/**
 * A referral with its policy facts: the person's 1367 status (ICE's published fact,
 * `ice_facts.persons`: ICE's own table in a shared database, a replicated copy otherwise) and
 * the consent row. Every column of `referralColumns` is an expression over these three
 * aliases, so it holds in any query built on REFERRAL_FROM.
 */
export const REFERRAL_FROM = sql`FROM ngo.referrals r
  LEFT JOIN ice_facts.persons p ON p.id = r.person_id
  LEFT JOIN ngo.consents c ON c.referral_id = r.id`;

// Fail closed: a referral whose person fact is missing, malformed or stale is treated as a
// protected person's (rule 6), so that a missing join never discloses a 1367 victim's referral.
const PROTECTED_1367 = protected1367('p');

export const REFERRAL_SELECT = sql`SELECT r.*, ${PROTECTED_1367} AS protected1367,
  c.referral_id IS NOT NULL AS has_consent, c.grantees AS consent_grantees, c.purposes AS consent_purposes,
  c.notify_transfers AS consent_notify_transfers, c.granted_at AS consent_granted_at,
  c.expires_at AS consent_expires_at, c.revoked_at AS consent_revoked_at
  ${REFERRAL_FROM}`;

/**
 * The Referral policy's attributes as SQL over REFERRAL_FROM. A referral without a consent row
 * reads as a consent that grants nobody nothing (empty arrays, not NULL), so a filter written
 * as `x = ANY(consentGrantees)` or `NOT (...)` means the same as `decide` on `consent: null`.
 */
export const referralColumns = (): Record<string, Sql> => ({
  ...metaColumns('r'),
  personId: raw('r.person_id'),
  fromOrg: raw('r.from_org'),
  toOrg: raw('r.to_org'),
  protected1367: PROTECTED_1367,
  consentGrantees: raw(`COALESCE(c.grantees, '{}'::text[])`),
  consentPurposes: raw(`COALESCE(c.purposes, '{}'::text[])`),
  consentNotifyTransfers: raw('COALESCE(c.notify_transfers, false)'),
  consentExpiresAt: raw('c.expires_at'),
  consentRevokedAt: raw('c.revoked_at'),
});

function readConsent(row: Row): ConsentRecord | null {
  if (!bool(row, 'has_consent')) return null;
  return {
    grantees: textArray(row, 'consent_grantees'),
    purposes: textArray(row, 'consent_purposes').filter(isPurpose),
    notifyTransfers: bool(row, 'consent_notify_transfers'),
    grantedAt: date(row, 'consent_granted_at'),
    expiresAt: dateOrNull(row, 'consent_expires_at'),
    revokedAt: dateOrNull(row, 'consent_revoked_at'),
  };
}

export function readReferral(row: Row): ReferralRecord {
  return Object.assign(readMeta(row), {
    personId: text(row, 'person_id'),
    fromOrg: text(row, 'from_org'),
    toOrg: text(row, 'to_org'),
    protected1367: bool(row, 'protected1367'),
    service: oneOf(row, 'service', ReferralServiceValues),
    status: oneOf(row, 'status', ReferralStatusValues),
    providerId: textOrNull(row, 'provider_id'),
    notes: textOrNull(row, 'notes'),
    circumstances: textOrNull(row, 'circumstances'),
    consent: readConsent(row),
  });
}

export interface ProviderRecord extends Readonly<PolicyAttributes['Provider']> {
  readonly name: string;
  readonly services: readonly ReferralService[];
  readonly sector: Sector;
  readonly capacity: number;
  readonly bedsAvailable: number;
}

export const PROVIDER_SELECT = sql`SELECT pv.* FROM ngo.providers pv`;
export const PROVIDER_FROM = sql`FROM ngo.providers pv`;
export const providerColumns = (): Record<string, Sql> => metaColumns('pv');

export function readProvider(row: Row): ProviderRecord {
  return Object.assign(readMeta(row), {
    name: text(row, 'name'),
    services: textArray(row, 'services').filter(isReferralService),
    sector: oneOf(row, 'sector', SECTORS),
    capacity: int(row, 'capacity'),
    bedsAvailable: int(row, 'beds_available'),
  });
}
