import { randomBytes } from 'node:crypto';
import DataLoader from 'dataloader';
import { GraphQLError } from 'graphql';
import { byId, iso, keysetPage, type Db, type PageArgs, type Row } from './db.js';
import { columns, type PlainContext, type PlainSubgraph } from './subgraph.js';

/** Plain ICE: transfers, persons, networks. FOR THE BENCHMARK ONLY (scenario (d)). */
interface IceLoaders {
  readonly transfer: DataLoader<string, Row | null>;
  readonly person: DataLoader<string, Row | null>;
  readonly network: DataLoader<string, Row | null>;
}

const rowsById = (db: Db, table: string): DataLoader<string, Row | null> =>
  new DataLoader(async (ids: readonly string[]) => byId(await db.query(`SELECT * FROM ${table} WHERE id = ANY($1)`, [ids]), ids));

interface RequestTransferInput {
  readonly personId: string;
  readonly toOrg: string;
  readonly toFacility: string;
  readonly reason: string;
  readonly fromFacility?: string | null;
}

type Ctx = PlainContext<IceLoaders>;

export const ice: PlainSubgraph<IceLoaders> = {
  name: 'ice',
  loaders: (db) => ({ transfer: rowsById(db, 'ice.transfers'), person: rowsById(db, 'ice.persons'), network: rowsById(db, 'ice.networks') }),
  resolvers: {
    Query: {
      transfer: (_: unknown, { id }: { id: string }, { loaders }: Ctx) => loaders.transfer.load(id),
      transfers: (_: unknown, args: PageArgs & { filter?: { status?: string | null; personId?: string | null } | null }, { db }: Ctx) =>
        keysetPage(db, 'Transfer', 'ice.transfers', args, { status: args.filter?.status, person_id: args.filter?.personId }),
      person: (_: unknown, { id }: { id: string }, { loaders }: Ctx) => loaders.person.load(id),
      networks: (_: unknown, args: PageArgs, { db }: Ctx) => keysetPage(db, 'Network', 'ice.networks', args),
    },
    Mutation: {
      // No caller identity here: the new transfer takes its owner and origin from the person's record.
      requestTransfer: async (_: unknown, { input }: { input: RequestTransferInput }, { db }: Ctx) => {
        const id = `T-${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;
        const [row] = await db.query(
          `INSERT INTO ice.transfers (id, owner_org, owner_agency, sensitivity, jurisdictions, disseminate, person_id, status,
             from_org, from_facility, to_org, to_facility, requested_at, reason)
           SELECT $1, p.owner_org, p.owner_agency, p.sensitivity, p.jurisdictions, p.disseminate, p.id, 'REQUESTED',
             p.owner_org, $3, $4, $5, now(), $6
           FROM ice.persons p WHERE p.id = $2
           RETURNING *`,
          [id, input.personId, input.fromFacility ?? null, input.toOrg, input.toFacility, input.reason],
        );
        if (!row) throw new GraphQLError(`no person ${input.personId}`, { extensions: { code: 'NOT_FOUND' } });
        return row;
      },
    },
    Transfer: {
      __resolveReference: (reference: { id: string }, { loaders }: Ctx) => loaders.transfer.load(reference.id),
      ...columns({ fromOrg: 'from_org', fromFacility: 'from_facility', toOrg: 'to_org', toFacility: 'to_facility' }),
      requestedAt: (row: Row) => iso(row['requested_at']),
      person: (row: Row, _: unknown, { loaders }: Ctx) => loaders.person.load(String(row['person_id'])),
    },
    Person: {
      __resolveReference: (reference: { id: string }, { loaders }: Ctx) => loaders.person.load(reference.id),
      aNumber: (row: Row) => row['a_number'],
    },
    Network: {
      __resolveReference: (reference: { id: string }, { loaders }: Ctx) => loaders.network.load(reference.id),
      threatLevel: (row: Row) => row['threat_level'],
    },
  },
};
