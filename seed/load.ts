import { raw, sql, type Queryable, type Store } from '../lib/store/index.js';
import { generateWorld, type GenerateOptions } from './generate.js';
import { SEEDED_SCHEMAS } from './reset.js';
import { TABLES } from './tables.js';
import { countRows, type World } from './world.js';

/**
 * Writing a generated world into a store. Everything goes in one transaction: a seed is all
 * there or not there at all, and a crash halfway leaves an empty store that the next start
 * seeds again.
 */

export interface SeedOptions {
  /** Rows per INSERT statement. Large chunks mean few round trips; each statement stays small. */
  readonly chunkSize?: number;
}

const DEFAULT_CHUNK_SIZE = 5_000;

/** An agency's schema the seed writes (`ice`, `cbp`, `partner`, `ngo`). */
export type SeededSchema = (typeof SEEDED_SCHEMAS)[number];

/** The schema of a `schema.table` name. */
const schemaOf = (table: string): string => table.split('.')[0] ?? '';

/**
 * Inserts every row of `world` into the tables of `schemas` (migrated, empty), each agency's
 * records into its own store; answers the rows per table.
 */
export async function seedStore(
  store: Store,
  world: World,
  options: SeedOptions = {},
  schemas: readonly SeededSchema[] = SEEDED_SCHEMAS,
): Promise<Readonly<Record<string, number>>> {
  await store.transaction((tx) => insertWorld(tx, world, options, schemas));
  return countRows(world);
}

/**
 * True once the store holds any record of `schemas` (each schema's first table, e.g.
 * ice.persons): the seed (or real use) has been there.
 */
export async function isSeeded(store: Queryable, schemas: readonly SeededSchema[] = SEEDED_SCHEMAS): Promise<boolean> {
  const firsts = schemas.flatMap((schema) => TABLES.find((table) => schemaOf(table.name) === schema)?.name ?? []);
  if (firsts.length === 0) return false;
  // Names come from seed/tables.ts, never input.
  const [row] = await store.query(sql`SELECT (${raw(firsts.map((name) => `EXISTS (SELECT 1 FROM ${name})`).join(' OR '))}) AS seeded`);
  return row?.seeded === true;
}

export type SeedOutcome =
  | { readonly status: 'seeded'; readonly world: World; readonly counts: Readonly<Record<string, number>> }
  | { readonly status: 'already-seeded' };

// Any constant works; it only has to be the same in every process that seeds.
const SEED_LOCK = 7_312_027;
const LOCK_RETRY_MS = 250;
const LOCK_PATIENCE_MS = 10 * 60_000;

/**
 * Seeds a migrated store unless it already holds data. Safe when several services start
 * against one PostgreSQL at once: one takes the advisory lock and seeds, the others wait and
 * then find the data there. They wait by retrying `pg_try_advisory_xact_lock` rather than
 * blocking in `pg_advisory_xact_lock`, because a blocked statement would hit the store's
 * statement timeout while a large world is still loading. The world is generated only when
 * it is needed.
 */
export async function seedIfEmpty(
  store: Store,
  options: GenerateOptions & SeedOptions = {},
  schemas: readonly SeededSchema[] = SEEDED_SCHEMAS,
  world: () => World = () => generateWorld(options),
): Promise<SeedOutcome> {
  const deadline = Date.now() + LOCK_PATIENCE_MS;
  for (;;) {
    const outcome = await store.transaction(async (tx): Promise<SeedOutcome | null> => {
      if (store.kind === 'postgres') {
        const [lock] = await tx.query(sql`SELECT pg_try_advisory_xact_lock(${SEED_LOCK}) AS locked`);
        if (lock?.locked !== true) return null;
      }
      if (await isSeeded(tx, schemas)) return { status: 'already-seeded' };
      const generated = world();
      await insertWorld(tx, generated, options, schemas);
      return { status: 'seeded', world: generated, counts: countRows(generated) };
    });
    if (outcome !== null) return outcome;
    if (Date.now() > deadline) throw new Error(`Gave up waiting for another process to finish seeding after ${LOCK_PATIENCE_MS / 60_000} minutes`);
    await new Promise((resolve) => setTimeout(resolve, LOCK_RETRY_MS));
  }
}

/**
 * Seeds each store with the records of the agencies whose database it is (one world, generated
 * once: the same person ids across agencies, ICE owning the persons). A store already holding
 * its agencies' records is left alone.
 */
export async function seedStoresIfEmpty(
  groups: readonly { readonly store: Store; readonly services: readonly string[] }[],
  options: GenerateOptions & SeedOptions = {},
): Promise<SeedOutcome[]> {
  let world: World | undefined;
  const once = (): World => (world ??= generateWorld(options));
  const outcomes: SeedOutcome[] = [];
  for (const group of groups) {
    const schemas = SEEDED_SCHEMAS.filter((schema) => group.services.includes(schema));
    if (schemas.length > 0) outcomes.push(await seedIfEmpty(group.store, options, schemas, once));
  }
  return outcomes;
}

async function insertWorld(tx: Queryable, world: World, options: SeedOptions, schemas: readonly SeededSchema[]): Promise<void> {
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new RangeError(`chunkSize must be a positive integer, got ${chunkSize}`);
  for (const table of TABLES.filter((each) => (schemas as readonly string[]).includes(schemaOf(each.name)))) {
    for (const statement of table.inserts(world, chunkSize)) await tx.query(statement);
  }
}
