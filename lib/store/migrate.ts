import { readdir, readFile } from 'node:fs/promises';
import { SUBGRAPHS, type SubgraphName } from '../domain.js';
import { FACT_COPIES_DDL } from '../facts/fresh.js';
import { CONSUMES, isFactOwner, type FactOwner } from '../facts/owners.js';
import { repoPath } from '../paths.js';
import { sql } from './sql.js';
import type { Store } from './store.js';

export interface Migration {
  readonly service: string;
  readonly version: string;
  readonly script: string;
}

/** Each subgraph's versioned SQL files (`subgraphs/<name>/migrations/NNN_*.sql`), in order. */
export async function loadMigrations(services: readonly SubgraphName[] = SUBGRAPHS): Promise<Migration[]> {
  const migrations: Migration[] = [];
  for (const service of services) {
    const dir = repoPath('subgraphs', service, 'migrations');
    const files = await readdir(dir).catch(() => [] as string[]);
    for (const file of files.filter((name) => /^\d{3}_.+\.sql$/.test(name)).sort()) {
      migrations.push({ service, version: file.replace(/\.sql$/, ''), script: await readFile(`${dir}/${file}`, 'utf8') });
    }
  }
  return migrations;
}

/** An owner's published facts DDL (`subgraphs/<owner>/facts.sql`): idempotent, the same for owner and copies. */
export const loadFactsDdl = (owner: FactOwner): Promise<string> => readFile(repoPath('subgraphs', owner, 'facts.sql'), 'utf8');

/**
 * The facts schemas a database needs for `services`: each owner's own (its triggers write
 * them) and those of every owner its policies read (a copy, or the owner's own tables when
 * the owner shares this database: the DDL is idempotent, so both may apply it).
 */
export function factsNeeded(services: readonly SubgraphName[]): FactOwner[] {
  const owners = new Set<FactOwner>();
  for (const service of services) {
    if (isFactOwner(service)) owners.add(service);
    for (const owner of CONSUMES[service]) owners.add(owner);
  }
  return [...owners].sort();
}

// Any constant works; it only has to be the same in every process that migrates.
const MIGRATION_LOCK = 7_312_026;

/**
 * Applies the pending migrations of `services` (by default every subgraph: one database for
 * all), each in its own transaction, after the facts DDL those services publish or read. A
 * service migrates only its own schema: another agency's data reaches it only as published
 * facts (SPEC 1). The advisory lock makes concurrent starts (replicas, compose) apply each
 * file once.
 */
export async function migrate(store: Store, services: readonly SubgraphName[] = SUBGRAPHS): Promise<readonly string[]> {
  const migrations = await loadMigrations(services);
  const facts = await Promise.all(factsNeeded(services).map(loadFactsDdl));
  return store.transaction(async (tx) => {
    if (store.kind === 'postgres') await tx.query(sql`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
    await tx.exec(`CREATE TABLE IF NOT EXISTS public.schema_migrations (
      service text NOT NULL, version text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (service, version))`);
    await tx.exec(FACT_COPIES_DDL);
    for (const ddl of facts) await tx.exec(ddl);
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
