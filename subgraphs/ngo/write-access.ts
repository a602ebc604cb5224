import { readableRecord } from '../../lib/access/named-record.js';
import { raw } from '../../lib/store/sql.js';
import type { NgoContext } from './loaders.js';
import { REFERRAL_SELECT, readReferral, referralColumns, type ReferralRecord } from './records.js';

/**
 * Reads a referral the caller may see, for a write. One the policy hides reads exactly like one
 * that does not exist, so a mutation never confirms an id the caller could not read (for a
 * protected person's referral, not even that it exists).
 */
export const visibleReferral = (context: NgoContext, id: string, argument: string): Promise<ReferralRecord> =>
  readableRecord(
    context,
    { type: 'Referral', id, argument },
    { select: REFERRAL_SELECT, idColumn: raw('r.id'), columns: referralColumns(), read: readReferral },
  );
