import type { GraphQLResolveInfo } from 'graphql';
import type { Released } from '../../lib/access/released.js';
import { badInput } from '../../lib/errors.js';
import { sql } from '../../lib/store/sql.js';
import type { NgoContext } from './loaders.js';
import { ReferralStatusValues, type MutationUpdateReferralStatusArgs } from '../../schema/generated/ngo.js';
import { isReferralStatus, type ReferralRecord } from './records.js';
import { canBecome, transitionRefusal } from './referral-lifecycle.js';
import { visibleReferral } from './write-access.js';

/**
 * `updateReferralStatus`: moves a referral one step along its lifecycle. Only the NGO holding
 * it may (rule 9: the policy's `canWrite` for `updateReferral`, asked with the referral as it
 * will be). The update is conditional on the status read, so two caseworkers answering the
 * same referral at once cannot both win.
 */
export async function updateReferralStatus(
  _: unknown,
  args: MutationUpdateReferralStatusArgs,
  context: NgoContext,
  info: GraphQLResolveInfo,
): Promise<Released<ReferralRecord>> {
  const status = args.status;
  if (!isReferralStatus(status)) throw badInput(`status must be one of ${ReferralStatusValues.join(', ')}`, { argument: 'status' });
  const current = await visibleReferral(context, args.id, 'id');
  if (!canBecome(current.status, status)) throw badInput(transitionRefusal(current.id, current.status, status), { argument: 'status' });

  const { now } = context;
  const updated: ReferralRecord = { ...current, status, updatedAt: now };
  await context.access.authorizeWrite('updateReferral', 'Referral', updated);
  const rows = await context.store.query(
    sql`UPDATE ngo.referrals SET status = ${status}, updated_at = ${now} WHERE id = ${current.id} AND status = ${current.status} RETURNING id`,
  );
  if (rows.length === 0) throw badInput(`Referral ${current.id} changed while you were updating it; read it again`, { argument: 'id' });
  return context.access.releaseWritten('Referral', updated, info);
}
