import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import type { Queryable, Row, Store } from './store.js';

/**
 * Embedded PostgreSQL (WASM) for a newcomer's machine and fast tests. `dataDir` unset keeps
 * everything in memory; a directory persists across restarts. One PGlite serves one process:
 * its own lock serializes queries, so a transaction here is naturally exclusive.
 */
export async function openPglite(dataDir?: string): Promise<Store> {
  // PGlite creates its own directory but not the parents (a fresh clone has no data/).
  if (dataDir !== undefined) mkdirSync(dataDir, { recursive: true });
  const db = dataDir === undefined ? new PGlite() : new PGlite(dataDir);
  await db.waitReady;
  return pgliteStore(db);
}

/** The store over a PGlite already open (the embedded store process serves the same one over the wire). */
export function pgliteStore(db: PGlite): Store {
  let roundTrips = 0;

  return {
    kind: 'pglite',
    get roundTrips() {
      return roundTrips;
    },
    async query(statement) {
      roundTrips += 1;
      const result = await db.query<Row>(statement.text, [...statement.values]);
      return result.rows;
    },
    async exec(script) {
      roundTrips += 1;
      await db.exec(script);
    },
    async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
      roundTrips += 2; // BEGIN and COMMIT, as on a server
      return db.transaction(async (tx) =>
        work({
          async query(statement) {
            roundTrips += 1;
            const result = await tx.query<Row>(statement.text, [...statement.values]);
            return result.rows;
          },
          async exec(script) {
            roundTrips += 1;
            await tx.exec(script);
          },
        }),
      );
    },
    close: () => db.close(),
  };
}
