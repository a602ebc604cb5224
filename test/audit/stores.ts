import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadMigrations, openPglite, openPostgres, type Store } from '../../lib/store/index.js';

export type StoreKind = 'pglite' | 'postgres';

/**
 * Every audit test runs on both stores over `npm test`'s two passes: PGlite in memory in the
 * embedded pass, and in the PostgreSQL pass (DATABASE_URL set) a real PostgreSQL in a throwaway
 * database of its own (never the shared `test` database), dropped afterwards. One store per
 * pass, not both in each: that ran every audit test, and its CLI processes, twice per store.
 */
export const STORE_KINDS: readonly StoreKind[] = process.env['DATABASE_URL'] ? ['postgres'] : ['pglite'];

export const POSTGRES_SERVER = process.env['AUDIT_TEST_POSTGRES'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestStore {
  readonly store: Store;
  /** Set on PostgreSQL: for extra pools or child processes on the same database. */
  readonly databaseUrl: string | undefined;
  dispose(): Promise<void>;
}

/**
 * Applies only the audit migrations (the other subgraphs' files are not this suite's concern):
 * those named `from` up to `through` inclusive (by file name, e.g. '003_events'), all by default.
 */
export async function migrateAudit(store: Store, range: { readonly from?: string; readonly through?: string } = {}): Promise<void> {
  for (const migration of (await loadMigrations()).filter((m) => m.service === 'audit')) {
    if (range.from !== undefined && migration.version < range.from) continue;
    if (range.through !== undefined && migration.version > range.through) continue;
    await store.exec(migration.script);
  }
}

export async function openTestStore(kind: StoreKind, migrations: { readonly through?: string } = {}): Promise<TestStore> {
  if (kind === 'pglite') {
    const store = await openPglite();
    await migrateAudit(store, migrations);
    return { store, databaseUrl: undefined, dispose: () => store.close() };
  }
  const name = `audit_test_${randomBytes(6).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(POSTGRES_SERVER);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  const store = openPostgres({ connectionString: databaseUrl });
  await migrateAudit(store, migrations);
  return {
    store,
    databaseUrl,
    async dispose() {
      await store.close().catch(() => undefined);
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_SERVER });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/**
 * Runs SQL as a superuser with the append-only triggers off for this transaction only: how an
 * attacker with database ownership would tamper. The chain must still tell.
 */
export async function tamper(store: Store, script: string): Promise<void> {
  await store.transaction(async (tx) => {
    await tx.exec('SET LOCAL session_replication_role = replica');
    await tx.exec(script);
  });
}
