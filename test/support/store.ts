import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { dropCopies } from '../../lib/facts/copies.js';
import { migrate, openStore, type Store } from '../../lib/store/index.js';

/**
 * The store a test file runs on: the embedded store in memory, or, when DATABASE_URL is set
 * (`npm test` sets it for its second pass), a fresh database of its own on that server, so
 * test files can run in parallel without sharing rows. Dropped again by `close`.
 */
export interface TestStore {
  readonly store: Store;
  readonly kind: 'pglite' | 'postgres';
  /** The connection string of this test's own database (postgres only). */
  readonly url: string | undefined;
  close(): Promise<void>;
}

export const testDatabaseUrl = (): string | undefined => process.env.DATABASE_URL || undefined;

export async function createTestDatabase(serverUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `tributary_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      // Its subscriptions and their slots first: a slot left behind holds WAL forever.
      await dropCopies(url.toString()).catch(() => undefined);
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

export async function openTestStore(options: { readonly migrate?: boolean } = {}): Promise<TestStore> {
  const serverUrl = testDatabaseUrl();
  if (!serverUrl) {
    const store = await openStore({});
    if (options.migrate !== false) await migrate(store);
    return { store, kind: 'pglite', url: undefined, close: () => store.close() };
  }
  const database = await createTestDatabase(serverUrl);
  const store = await openStore({ databaseUrl: database.url });
  if (options.migrate !== false) await migrate(store);
  return {
    store,
    kind: 'postgres',
    url: database.url,
    close: async () => {
      await store.close();
      await database.drop();
    },
  };
}
