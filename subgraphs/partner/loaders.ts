import type DataLoader from 'dataloader';
import { releasedGroups, releasedRowsById, type GroupKey, type RecordKey } from '../../lib/access/released-loaders.js';
import type { Released } from '../../lib/access/released.js';
import { idIn } from '../../lib/access/record-meta.js';
import type { RequestContext } from '../../lib/server/context.js';
import type { LoaderDeps } from '../../lib/server/subgraph.js';
import { and, raw, sql } from '../../lib/store/sql.js';
import { text } from '../../lib/store/row.js';
import { BOOKING_SELECT, bookingColumns, readBooking, type BookingRecord } from './records.js';

export interface PartnerLoaders {
  readonly booking: DataLoader<RecordKey, Released<BookingRecord> | null, string>;
  /** Person.bookings, narrowed by the Booking policy in SQL. */
  readonly bookingsOfPerson: DataLoader<GroupKey, Released<BookingRecord>[], string>;
  /** Transfer.booking: at most one booking per transfer (the first visible one), so a group of zero or one. */
  readonly bookingOfTransfer: DataLoader<GroupKey, Released<BookingRecord>[], string>;
}

export type PartnerContext = RequestContext<PartnerLoaders>;

export function partnerLoaders({ store, access }: LoaderDeps): PartnerLoaders {
  return {
    booking: releasedRowsById('Booking', access, store, { select: BOOKING_SELECT, idColumn: raw('b.id'), read: readBooking }),
    bookingsOfPerson: releasedGroups('Booking', access, async (personIds) => {
      const visible = access.visibleWhere('Booking', bookingColumns());
      const rows = await store.query(sql`${BOOKING_SELECT} WHERE ${and([idIn(raw('b.person_id'), personIds), visible])} ORDER BY b.id`);
      return rows.map((row) => ({ parentId: text(row, 'person_id'), record: readBooking(row) }));
    }),
    // DISTINCT ON keeps one booking per transfer in SQL: only the booking returned is released
    // (and audited), never a second one the field could not show.
    bookingOfTransfer: releasedGroups('Booking', access, async (transferIds) => {
      const visible = access.visibleWhere('Booking', bookingColumns());
      const rows = await store.query(
        sql`SELECT DISTINCT ON (b.transfer_id) b.* FROM partner.bookings b
            WHERE ${and([idIn(raw('b.transfer_id'), transferIds), visible])} ORDER BY b.transfer_id, b.id`,
      );
      return rows.map((row) => ({ parentId: text(row, 'transfer_id'), record: readBooking(row) }));
    }),
  };
}
