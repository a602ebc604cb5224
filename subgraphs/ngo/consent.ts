import type { GraphQLResolveInfo } from 'graphql';
import type { Released } from '../../lib/access/released.js';
import { PURPOSES, isOneOf, isPurpose, type Purpose } from '../../lib/domain.js';
import { badInput } from '../../lib/errors.js';
import { sql } from '../../lib/store/sql.js';
import { requireOrg } from '../../lib/validate.js';
import type { MutationGrantConsentArgs, MutationRevokeConsentArgs } from '../../schema/generated/ngo.js';
import type { NgoContext } from './loaders.js';
import type { ConsentRecord, ReferralRecord } from './records.js';
import { visibleReferral } from './write-access.js';

/**
 * Agency classes a client may name, as in tokens' `agency` claim. Not DHS (the policy judges
 * consent per agency, so "DHS" would silently grant nobody) and not OVERSIGHT (auditors read
 * CORE under rule 8 whatever the consent).
 */
export const GRANTEE_CLASSES = ['CBP', 'ICE', 'PARTNER', 'NGO'] as const;
const isGranteeClass = isOneOf(GRANTEE_CLASSES);
const MAX_GRANTEES = 20;

/**
 * `grantConsent`: records the client's consent for a referral, replacing any earlier one
 * whole (a new grant is a new decision of the client: `grantedAt` is now and an earlier
 * revocation no longer applies). Only the NGO holding the referral records it (rule 9,
 * `grantConsent`). Every argument is checked before anything is read or written.
 */
export async function grantConsent(
  _: unknown,
  args: MutationGrantConsentArgs,
  context: NgoContext,
  info: GraphQLResolveInfo,
): Promise<Released<ReferralRecord>> {
  const { now } = context;
  const consent: ConsentRecord = {
    grantees: readGrantees(args.input.grantees),
    purposes: readPurposes(args.input.purposes),
    notifyTransfers: args.input.notifyTransfers ?? false,
    grantedAt: now,
    expiresAt: readExpiry(args.input.expiresAt, now),
    revokedAt: null,
  };
  const current = await visibleReferral(context, args.referralId, 'referralId');
  const updated: ReferralRecord = { ...current, consent, updatedAt: now };
  await context.access.authorizeWrite('grantConsent', 'Referral', updated);
  await context.store.transaction(async (tx) => {
    await tx.query(sql`INSERT INTO ngo.consents (referral_id, grantees, purposes, notify_transfers, granted_at, expires_at, revoked_at)
      VALUES (${current.id}, ${[...consent.grantees]}::text[], ${[...consent.purposes]}::text[], ${consent.notifyTransfers}, ${now},
       ${consent.expiresAt}, NULL)
      ON CONFLICT (referral_id) DO UPDATE SET grantees = EXCLUDED.grantees, purposes = EXCLUDED.purposes,
       notify_transfers = EXCLUDED.notify_transfers, granted_at = EXCLUDED.granted_at, expires_at = EXCLUDED.expires_at, revoked_at = NULL`);
    await tx.query(sql`UPDATE ngo.referrals SET updated_at = ${now} WHERE id = ${current.id}`);
  });
  return context.access.releaseWritten('Referral', updated, info);
}

/**
 * `revokeConsent`: the client withdraws consent. Idempotent: revoking again keeps the first
 * revocation's time, and a referral without consent stays without. It takes effect on the next
 * request because every request reads the consent row afresh (no cache outlives a request).
 */
export async function revokeConsent(
  _: unknown,
  args: MutationRevokeConsentArgs,
  context: NgoContext,
  info: GraphQLResolveInfo,
): Promise<Released<ReferralRecord>> {
  const { now } = context;
  const current = await visibleReferral(context, args.referralId, 'referralId');
  const consent = current.consent;
  const revoking = consent !== null && consent.revokedAt === null;
  const updated: ReferralRecord = revoking ? { ...current, consent: { ...consent, revokedAt: now }, updatedAt: now } : current;
  await context.access.authorizeWrite('revokeConsent', 'Referral', updated);
  if (revoking) {
    await context.store.transaction(async (tx) => {
      const rows = await tx.query(
        sql`UPDATE ngo.consents SET revoked_at = ${now} WHERE referral_id = ${current.id} AND revoked_at IS NULL RETURNING referral_id`,
      );
      if (rows.length > 0) await tx.query(sql`UPDATE ngo.referrals SET updated_at = ${now} WHERE id = ${current.id}`);
    });
  }
  return context.access.releaseWritten('Referral', updated, info);
}

function readGrantees(values: readonly string[]): string[] {
  if (values.length === 0) {
    throw badInput('grantees must name at least one agency class or org; to withdraw consent, use revokeConsent', { argument: 'grantees' });
  }
  if (values.length > MAX_GRANTEES) throw badInput(`grantees may name at most ${MAX_GRANTEES} agencies or orgs`, { argument: 'grantees' });
  for (const value of values) {
    if (isGranteeClass(value)) continue;
    // Upper case is an agency class by intent: say which ones exist rather than "not an org id".
    if (/^[A-Z_]+$/.test(value)) {
      throw badInput(`grantees: "${value.slice(0, 32)}" is not an agency class a consent can name (${GRANTEE_CLASSES.join(', ')}) nor an org id`, {
        argument: 'grantees',
      });
    }
    requireOrg('grantees', value);
  }
  return [...new Set(values)];
}

function readPurposes(values: readonly string[]): Purpose[] {
  if (values.length === 0) throw badInput('purposes must name at least one purpose of use', { argument: 'purposes' });
  const purposes = values.filter(isPurpose);
  if (purposes.length !== values.length) throw badInput(`purposes must be among ${PURPOSES.join(', ')}`, { argument: 'purposes' });
  return [...new Set(purposes)];
}

function readExpiry(expiresAt: Date | null | undefined, now: Date): Date | null {
  if (expiresAt === null || expiresAt === undefined) return null;
  if (expiresAt.getTime() <= now.getTime()) {
    throw badInput(`expiresAt must be in the future, got ${expiresAt.toISOString()}`, { argument: 'expiresAt' });
  }
  return expiresAt;
}
