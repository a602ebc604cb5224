import type { GraphQLResolveInfo } from 'graphql';
import type { Released } from '../../lib/access/released.js';
import { isOneOf, isSector } from '../../lib/domain.js';
import { badInput } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { sql } from '../../lib/store/sql.js';
import { requireText } from '../../lib/validate.js';
import { SUBJECT_INSERT_COLUMNS, storedSubject, subjectValues } from '../../lib/access/person-facts.js';
import { META_INSERT_COLUMNS, metaValues } from '../../lib/access/record-meta.js';
import { DetainerStatusValues, type MutationRecordBookingArgs } from '../../schema/generated/partner.js';
import type { PartnerContext } from './loaders.js';
import type { BookingRecord } from './records.js';

/** Counties are jurisdictions like `county:saguaro`, the form tokens and policies use. */
const COUNTY = /^county:[a-z][a-z0-9-]{0,62}$/;
const MAX_CHARGES = 50;
// GraphQL refuses an unknown enum value already; a direct caller is checked all the same.
const isDetainerStatus = isOneOf(DetainerStatusValues);

/**
 * `recordBooking`: every argument is checked and the person looked up before anything is
 * written; rule 9 (only a 287(g) partner books, as owner) is the policy's `canWrite`, asked with
 * the record as it would be stored, and the county must be one of the caller's jurisdictions.
 *
 * Writes never widen reads (SPEC 5): `personId` must name a person the caller can already read
 * (else the same "not found" as an unknown id); someone it cannot read yet is booked under the
 * identity the office holds (`subject`), stored on the booking alone with no person link. The
 * answer then shows what the office supplied and `person: null`; nothing of ICE's is read.
 */
export async function recordBooking(
  _: unknown,
  args: MutationRecordBookingArgs,
  context: PartnerContext,
  info: GraphQLResolveInfo,
): Promise<Released<BookingRecord>> {
  const { input } = args;
  const { principal, now } = context;
  if (!COUNTY.test(input.county)) {
    throw badInput(`county must look like "county:<name>" (e.g. "county:saguaro"), got "${input.county.slice(0, 64)}"`, { argument: 'county' });
  }
  if (input.charges.length === 0) throw badInput('charges must name at least one charge', { argument: 'charges' });
  if (input.charges.length > MAX_CHARGES) throw badInput(`charges may list at most ${MAX_CHARGES} charges`, { argument: 'charges' });
  const charges = input.charges.map((charge) => requireText('charges', charge, 200));
  const detainerStatus = input.detainerStatus ?? 'NONE';
  if (!isDetainerStatus(detainerStatus)) {
    throw badInput(`detainerStatus must be one of ${DetainerStatusValues.join(', ')}`, { argument: 'detainerStatus' });
  }
  const bookedAt = input.bookedAt ?? now;
  if (bookedAt.getTime() > now.getTime()) throw badInput('bookedAt is in the future', { argument: 'bookedAt' });
  const releaseDate = input.releaseDate ?? null;
  if (releaseDate !== null && releaseDate < bookedAt.toISOString().slice(0, 10)) {
    throw badInput(`releaseDate ${releaseDate} is before the booking date`, { argument: 'releaseDate' });
  }
  const { personId, subject } = await storedSubject(context, input, now);

  const record: BookingRecord = {
    id: newId('B'),
    ownerOrg: principal.org,
    // The caller's own agency, never a hard-coded PARTNER: canWrite then sees who really books.
    ownerAgency: principal.agency,
    sensitivity: 'LAW_ENFORCEMENT_SENSITIVE',
    // The county, and the sectors the booking office works in (e.g. TUCSON for county:saguaro).
    jurisdictions: [...new Set([input.county, ...principal.jurisdictions.filter(isSector)])],
    // ICE acts on detainers: the booking goes to the DHS components.
    disseminate: ['DHS'],
    createdAt: now,
    updatedAt: now,
    personId,
    subject,
    county: input.county,
    bookedAt,
    charges,
    detainerStatus,
    releaseDate,
    transferId: null,
  };
  await context.access.authorizeNewRecord('create', 'Booking', record);
  await context.store.query(sql`INSERT INTO partner.bookings
    (${META_INSERT_COLUMNS}, ${SUBJECT_INSERT_COLUMNS}, county, booked_at, charges, detainer_status, release_date)
    VALUES (${metaValues(record)}, ${subjectValues(record)}, ${record.county}, ${bookedAt}, ${charges}::text[], ${detainerStatus},
     ${releaseDate}::date)`);
  return context.access.releaseWritten('Booking', record, info);
}
