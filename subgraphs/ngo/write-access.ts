import { badInput } from '../../lib/errors.js';
import { sql } from '../../lib/store/sql.js';
import { isRecordId } from '../../lib/validate.js';
import type { NgoContext } from './loaders.js';
import { REFERRAL_SELECT, readReferral, referralColumns, type ReferralRecord } from './records.js';

/**
 * Reads a referral the caller may see, for a write. One the policy hides reads exactly like one
 * that does not exist, so a mutation never confirms an id the caller could not read (for a
 * protected person's referral, not even that it exists).
 */
export async function visibleReferral(context: NgoContext, id: string, argument: string): Promise<ReferralRecord> {
  const rows = isRecordId(id)
    ? await context.store.query(sql`${REFERRAL_SELECT} WHERE r.id = ${id} AND ${context.access.visibleWhere('Referral', referralColumns())}`)
    : [];
  const row = rows[0];
  if (!row) throw badInput(`Referral ${id.slice(0, 64)} was not found`, { argument });
  return readReferral(row);
}

