import type { GraphQLResolveInfo } from 'graphql';
import { listRecords } from '../../lib/access/list-records.js';
import { entityReference, recordQuery, recordReference, type EntityReference } from '../../lib/access/record-by-id.js';
import { selectedFields } from '../../lib/access/selection.js';
import type { PageArgs } from '../../lib/connection.js';
import type { ResolverMap } from '../../lib/server/resolvers.js';
import { DateScalar, DateTimeScalar } from '../../lib/server/scalars.js';
import { raw, sql, type Sql } from '../../lib/store/sql.js';
import type { PartnerContext } from './loaders.js';
import { recordBooking } from './record-booking.js';
import { BOOKING_FROM, BOOKING_SELECT, bookingColumns, readBooking, type BookingRecord } from './records.js';

type Context = PartnerContext;

interface BookingFilter {
  readonly county?: string | null;
  readonly detainerStatus?: string | null;
  readonly personId?: string | null;
  readonly bookedAfter?: Date | null;
  readonly bookedBefore?: Date | null;
}

function bookingFilters(filter: BookingFilter | null | undefined): Sql[] {
  const conditions: Sql[] = [];
  if (filter?.county) conditions.push(sql`b.county = ${filter.county}`);
  if (filter?.detainerStatus) conditions.push(sql`b.detainer_status = ${filter.detainerStatus}`);
  if (filter?.personId) conditions.push(sql`b.person_id = ${filter.personId}`);
  if (filter?.bookedAfter) conditions.push(sql`b.booked_at >= ${filter.bookedAfter}`);
  if (filter?.bookedBefore) conditions.push(sql`b.booked_at < ${filter.bookedBefore}`);
  return conditions;
}

export const partnerResolvers: ResolverMap<Context> = {
  DateTime: DateTimeScalar,
  Date: DateScalar,
  Query: {
    booking: recordQuery('booking', 'Booking'),
    bookings: (_: unknown, args: PageArgs & { readonly filter?: BookingFilter | null }, context: Context, info: GraphQLResolveInfo) =>
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
    person: (record: BookingRecord): EntityReference<'Person'> | null => entityReference('Person', record.personId),
    transfer: (record: BookingRecord): EntityReference<'Transfer'> | null => entityReference('Transfer', record.transferId),
  },
  Person: {
    bookings: (person: EntityReference<'Person'>, _: unknown, context: Context, info: GraphQLResolveInfo) =>
      context.loaders.bookingsOfPerson.load({ parentId: person.id, fields: selectedFields(info, 'Booking') }),
  },
  Transfer: {
    booking: async (transfer: EntityReference<'Transfer'>, _: unknown, context: Context, info: GraphQLResolveInfo) =>
      (await context.loaders.bookingOfTransfer.load({ parentId: transfer.id, fields: selectedFields(info, 'Booking') }))[0] ?? null,
  },
};
