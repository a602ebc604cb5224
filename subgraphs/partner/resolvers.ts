import { listRecords } from '../../lib/access/list-records.js';
import { entityReference, recordQuery, recordReference } from '../../lib/access/record-by-id.js';
import { selectedFields } from '../../lib/access/selection.js';
import type { BookingFilter, Resolvers } from '../../schema/generated/partner.js';
import { DateScalar, DateTimeScalar } from '../../lib/server/scalars.js';
import { raw, sql, type Sql } from '../../lib/store/sql.js';
import { recordBooking } from './record-booking.js';
import { BOOKING_FROM, BOOKING_SELECT, bookingColumns, readBooking } from './records.js';

function bookingFilters(filter: BookingFilter | null | undefined): Sql[] {
  const conditions: Sql[] = [];
  if (filter?.county) conditions.push(sql`b.county = ${filter.county}`);
  if (filter?.detainerStatus) conditions.push(sql`b.detainer_status = ${filter.detainerStatus}`);
  if (filter?.personId) conditions.push(sql`b.person_id = ${filter.personId}`);
  if (filter?.bookedAfter) conditions.push(sql`b.booked_at >= ${filter.bookedAfter}`);
  if (filter?.bookedBefore) conditions.push(sql`b.booked_at < ${filter.bookedBefore}`);
  return conditions;
}

/** Checked against schema/partner.graphql: parents are the records of records.ts (codegen mappers). */
export const partnerResolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Date: DateScalar,
  Query: {
    booking: recordQuery('booking', 'Booking'),
    bookings: (_, args, context, info) =>
      listRecords(
        context,
        'Booking',
        {
          select: BOOKING_SELECT,
          from: BOOKING_FROM,
          columns: bookingColumns(),
          idColumn: raw('b.id'),
          filters: bookingFilters(args.filter),
          read: readBooking,
        },
        args,
        info,
      ),
  },
  Mutation: {
    recordBooking,
  },
  Booking: {
    __resolveReference: recordReference('booking', 'Booking'),
    // A booking that carries only the identity its author supplied links to no person.
    person: (record) => entityReference('Person', record.personId),
    transfer: (record) => entityReference('Transfer', record.transferId),
  },
  Person: {
    bookings: (person, _, context, info) =>
      context.loaders.bookingsOfPerson.load({ parentId: person.id, fields: selectedFields(info, 'Booking') }),
  },
  Transfer: {
    booking: async (transfer, _, context, info) =>
      (await context.loaders.bookingOfTransfer.load({ parentId: transfer.id, fields: selectedFields(info, 'Booking') }))[0] ?? null,
  },
};
