import DataLoader from 'dataloader';
import { byId, groupBy, iso, keysetPage, type Db, type PageArgs, type Row } from './db.js';
import { columns, type PlainContext, type PlainSubgraph } from './subgraph.js';

/** Plain CBP: routes and encounters, a person's encounters, a network's routes. FOR THE BENCHMARK ONLY (scenario (d)). */
interface CbpLoaders {
  readonly route: DataLoader<string, Row | null>;
  readonly encounter: DataLoader<string, Row | null>;
  readonly encountersOfPerson: DataLoader<string, Row[]>;
  readonly routesOfNetwork: DataLoader<string, Row[]>;
}

type Ctx = PlainContext<CbpLoaders>;

export const cbp: PlainSubgraph<CbpLoaders> = {
  name: 'cbp',
  loaders: (db: Db) => ({
    route: new DataLoader(async (ids: readonly string[]) => byId(await db.query('SELECT * FROM cbp.routes WHERE id = ANY($1)', [ids]), ids)),
    encounter: new DataLoader(async (ids: readonly string[]) => byId(await db.query('SELECT * FROM cbp.encounters WHERE id = ANY($1)', [ids]), ids)),
    encountersOfPerson: new DataLoader(async (ids: readonly string[]) =>
      groupBy(await db.query('SELECT * FROM cbp.encounters WHERE person_id = ANY($1) ORDER BY id', [ids]), 'person_id', ids),
    ),
    routesOfNetwork: new DataLoader(async (ids: readonly string[]) =>
      groupBy(
        await db.query('SELECT r.*, rn.network_id FROM cbp.route_networks rn JOIN cbp.routes r ON r.id = rn.route_id WHERE rn.network_id = ANY($1) ORDER BY r.id', [ids]),
        'network_id',
        ids,
      ),
    ),
  }),
  resolvers: {
    Query: {
      routes: (_: unknown, args: PageArgs, { db }: Ctx) => keysetPage(db, 'Route', 'cbp.routes', args),
    },
    Route: {
      __resolveReference: (reference: { id: string }, { loaders }: Ctx) => loaders.route.load(reference.id),
      ...columns({ activityLevel: 'activity_level' }),
    },
    Encounter: {
      __resolveReference: (reference: { id: string }, { loaders }: Ctx) => loaders.encounter.load(reference.id),
      occurredAt: (row: Row) => iso(row['occurred_at']),
    },
    Person: {
      encounters: (person: { id: string }, _: unknown, { loaders }: Ctx) => loaders.encountersOfPerson.load(person.id),
    },
    Network: {
      routes: (network: { id: string }, _: unknown, { loaders }: Ctx) => loaders.routesOfNetwork.load(network.id),
    },
  },
};
