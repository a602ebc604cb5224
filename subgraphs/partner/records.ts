import type { PolicyAttributes } from '../../lib/access/decision.js';
import { metaColumns, readMeta } from '../../lib/access/record-meta.js';
import { calendarDateOrNull, date, oneOf, text, textArray, textOrNull } from '../../lib/store/row.js';
import { raw, sql, type Sql } from '../../lib/store/sql.js';
import type { Row } from '../../lib/store/store.js';
import { DetainerStatusValues, type DetainerStatus } from '../../schema/generated/partner.js';
import { readSubjectIdentity, type SubjectIdentity } from '../../lib/subject-identity.js';

/** 287(g) partners' records as resolvers and the policy engine see them: schema fields plus policy facts. */


export interface BookingRecord extends Readonly<PolicyAttributes['Booking']> {
  /** The identity the booking office supplied, when `personId` is null (PII of the booking). */
  readonly subject: SubjectIdentity | null;
  readonly county: string;
  readonly bookedAt: Date;
  readonly charges: readonly string[];
  readonly detainerStatus: DetainerStatus;
  /** Calendar date `YYYY-MM-DD`. */
  readonly releaseDate: string | null;
  /** The ICE transfer this booking's detainer led to, if any. */
  readonly transferId: string | null;
}

export const BOOKING_SELECT = sql`SELECT b.* FROM partner.bookings b`;
export const BOOKING_FROM = sql`FROM partner.bookings b`;
export const bookingColumns = (): Record<string, Sql> => ({
  ...metaColumns('b'),
  personId: raw('b.person_id'),
});

export function readBooking(row: Row): BookingRecord {
  return Object.assign(readMeta(row), {
    personId: textOrNull(row, 'person_id'),
    subject: readSubjectIdentity(row),
    county: text(row, 'county'),
    bookedAt: date(row, 'booked_at'),
    charges: textArray(row, 'charges'),
    detainerStatus: oneOf(row, 'detainer_status', DetainerStatusValues),
    releaseDate: calendarDateOrNull(row, 'release_date'),
    transferId: textOrNull(row, 'transfer_id'),
  });
}
