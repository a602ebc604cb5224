import DataLoader from 'dataloader';
import { byId, keysetPage, type Db, type PageArgs, type Row } from './db.js';
import type { PlainContext, PlainSubgraph } from './subgraph.js';

/** Plain NGO: referrals and their consent. FOR THE BENCHMARK ONLY (scenario (d)). */
interface NgoLoaders {
  readonly referral: DataLoader<string, Row | null>;
  readonly consentOfReferral: DataLoader<string, Row | null>;
}

type Ctx = PlainContext<NgoLoaders>;

const isPast = (value: unknown): boolean => value instanceof Date && value.getTime() <= Date.now();

export const ngo: PlainSubgraph<NgoLoaders> = {
  name: 'ngo',
  loaders: (db: Db) => ({
    referral: new DataLoader(async (ids: readonly string[]) => byId(await db.query('SELECT * FROM ngo.referrals WHERE id = ANY($1)', [ids]), ids)),
    consentOfReferral: new DataLoader(async (ids: readonly string[]) => {
      const rows = await db.query('SELECT * FROM ngo.consents WHERE referral_id = ANY($1)', [ids]);
      const found = new Map(rows.map((row) => [String(row['referral_id']), row]));
      return ids.map((id) => found.get(id) ?? null);
    }),
  }),
  resolvers: {
    Query: {
      referrals: (_: unknown, args: PageArgs, { db }: Ctx) => keysetPage(db, 'Referral', 'ngo.referrals', args),
    },
    Referral: {
      __resolveReference: (reference: { id: string }, { loaders }: Ctx) => loaders.referral.load(reference.id),
      consent: (row: Row, _: unknown, { loaders }: Ctx) => loaders.consentOfReferral.load(String(row['id'])),
    },
    Consent: {
      active: (row: Row) => row['revoked_at'] === null && !isPast(row['expires_at']),
    },
  },
};
