import DataLoader from 'dataloader';
import { byId, groupBy, iso, keysetPage, type Db, type PageArgs, type Row } from './db.js';
import { columns, type PlainContext, type PlainSubgraph } from './subgraph.js';

/** Plain partner: 287(g) bookings, a person's bookings. FOR THE BENCHMARK ONLY (scenario (d)). */
interface PartnerLoaders {
  readonly booking: DataLoader<string, Row | null>;
  readonly bookingsOfPerson: DataLoader<string, Row[]>;
}

type Ctx = PlainContext<PartnerLoaders>;

export const partner: PlainSubgraph<PartnerLoaders> = {
  name: 'partner',
  loaders: (db: Db) => ({
    booking: new DataLoader(async (ids: readonly string[]) => byId(await db.query('SELECT * FROM partner.bookings WHERE id = ANY($1)', [ids]), ids)),
    bookingsOfPerson: new DataLoader(async (ids: readonly string[]) =>
      groupBy(await db.query('SELECT * FROM partner.bookings WHERE person_id = ANY($1) ORDER BY id', [ids]), 'person_id', ids),
    ),
  }),
  resolvers: {
    Query: {
      bookings: (_: unknown, args: PageArgs, { db }: Ctx) => keysetPage(db, 'Booking', 'partner.bookings', args),
    },
    Booking: {
      __resolveReference: (reference: { id: string }, { loaders }: Ctx) => loaders.booking.load(reference.id),
      ...columns({ detainerStatus: 'detainer_status' }),
      bookedAt: (row: Row) => iso(row['booked_at']),
      // A reference the ICE subgraph resolves.
      transfer: (row: Row) => (row['transfer_id'] ? { id: row['transfer_id'] } : null),
    },
    Person: {
      bookings: (person: { id: string }, _: unknown, { loaders }: Ctx) => loaders.bookingsOfPerson.load(person.id),
    },
  },
};
