import { sql, type Queryable, type Store } from '../lib/store/index.js';
import { generateWorld, type GenerateOptions } from './generate.js';
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

/** Inserts every row of `world` (into migrated, empty tables); answers the rows per table. */
export async function seedStore(store: Store, world: World, options: SeedOptions = {}): Promise<Readonly<Record<string, number>>> {
  await store.transaction((tx) => insertWorld(tx, world, options));
  return countRows(world);
}

/** True once the store holds any person: the seed (or real use) has been there. */
export async function isSeeded(store: Queryable): Promise<boolean> {
  const [row] = await store.query(sql`SELECT EXISTS (SELECT 1 FROM ice.persons) AS seeded`);
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
export async function seedIfEmpty(store: Store, options: GenerateOptions & SeedOptions = {}): Promise<SeedOutcome> {
  const deadline = Date.now() + LOCK_PATIENCE_MS;
  for (;;) {
    const outcome = await store.transaction(async (tx): Promise<SeedOutcome | null> => {
      if (store.kind === 'postgres') {
        const [lock] = await tx.query(sql`SELECT pg_try_advisory_xact_lock(${SEED_LOCK}) AS locked`);
        if (lock?.locked !== true) return null;
      }
      if (await isSeeded(tx)) return { status: 'already-seeded' };
      const world = generateWorld(options);
      await insertWorld(tx, world, options);
      return { status: 'seeded', world, counts: countRows(world) };
    });
    if (outcome !== null) return outcome;
    if (Date.now() > deadline) throw new Error(`Gave up waiting for another process to finish seeding after ${LOCK_PATIENCE_MS / 60_000} minutes`);
    await new Promise((resolve) => setTimeout(resolve, LOCK_RETRY_MS));
  }
}

async function insertWorld(tx: Queryable, world: World, options: SeedOptions): Promise<void> {
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new RangeError(`chunkSize must be a positive integer, got ${chunkSize}`);
  for (const table of TABLES) {
    for (const statement of table.inserts(world, chunkSize)) await tx.query(statement);
  }
}
