import { readdir, readFile } from 'node:fs/promises';
import { SUBGRAPHS } from '../domain.js';
import { repoPath } from '../paths.js';
import { sql } from './sql.js';
import type { Store } from './store.js';

export interface Migration {
  readonly service: string;
  readonly version: string;
  readonly script: string;
}

/** Each subgraph's versioned SQL files (`subgraphs/<name>/migrations/NNN_*.sql`), in order. */
export async function loadMigrations(): Promise<Migration[]> {
  const migrations: Migration[] = [];
  for (const service of SUBGRAPHS) {
    const dir = repoPath('subgraphs', service, 'migrations');
    const files = await readdir(dir).catch(() => [] as string[]);
    for (const file of files.filter((name) => /^\d{3}_.+\.sql$/.test(name)).sort()) {
      migrations.push({ service, version: file.replace(/\.sql$/, ''), script: await readFile(`${dir}/${file}`, 'utf8') });
    }
  }
  return migrations;
}

// Any constant works; it only has to be the same in every process that migrates.
const MIGRATION_LOCK = 7_312_026;

/**
 * Applies every pending migration of every subgraph, each in its own transaction. Every
 * service migrates the whole database at start-up because subgraphs read each other's policy
 * facts; the advisory lock makes concurrent starts (replicas, compose) apply each file once.
 */
export async function migrate(store: Store): Promise<readonly string[]> {
  const migrations = await loadMigrations();
  return store.transaction(async (tx) => {
    if (store.kind === 'postgres') await tx.query(sql`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
    await tx.exec(`CREATE TABLE IF NOT EXISTS public.schema_migrations (
      service text NOT NULL, version text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (service, version))`);
    const rows = await tx.query(sql`SELECT service, version FROM public.schema_migrations`);
    const applied = new Set(rows.map((row) => `${String(row.service)}/${String(row.version)}`));
    const done: string[] = [];
    for (const migration of migrations) {
      const key = `${migration.service}/${migration.version}`;
      if (applied.has(key)) continue;
      try {
        await tx.exec(migration.script);
      } catch (error) {
        throw new Error(`Migration ${key} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
      await tx.query(sql`INSERT INTO public.schema_migrations (service, version) VALUES (${migration.service}, ${migration.version})`);
      done.push(key);
    }
    return done;
  });
}
