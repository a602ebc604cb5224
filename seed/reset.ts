import { raw, sql, type Store } from '../lib/store/index.js';

/** The schemas the seed fills, one per record-holding subgraph. The audit log is never touched. */
export const SEEDED_SCHEMAS = ['ice', 'cbp', 'partner', 'ngo'] as const;

/** What the owners publish of those records (TRUNCATE fires no row triggers, so they go too). */
const PUBLISHED_SCHEMAS = SEEDED_SCHEMAS.map((schema) => `${schema}_facts`);

const quoteIdentifier = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/**
 * Empties every table of the seeded schemas (as migrated now, including tables added after
 * this was written), in one statement so foreign keys between them do not matter.
 * Destructive: for `seed --reset` and tests only.
 */
export async function truncateSeedTables(store: Store, schemas: readonly (typeof SEEDED_SCHEMAS)[number][] = SEEDED_SCHEMAS): Promise<readonly string[]> {
  // Only the owners' own published schemas: a copy of another agency's facts is that owner's to change.
  const published = PUBLISHED_SCHEMAS.filter((schema) => schemas.some((owner) => schema === `${owner}_facts`));
  const rows = await store.query(
    sql`SELECT schemaname, tablename FROM pg_catalog.pg_tables WHERE schemaname = ANY(${[...schemas, ...published]}::text[]) ORDER BY 1, 2`,
  );
  const tables = rows.map((row) => `${quoteIdentifier(String(row.schemaname))}.${quoteIdentifier(String(row.tablename))}`);
  if (tables.length === 0) return [];
  // Names come from the catalog, quoted as identifiers: nothing here is user input.
  await store.query(raw(`TRUNCATE ${tables.join(', ')}`));
  return tables;
}
