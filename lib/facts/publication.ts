import type { Logger } from 'pino';
import { raw, sql } from '../store/sql.js';
import type { Store } from '../store/store.js';
import { FACT_TABLES, factsSchema, type FactOwner } from './owners.js';

/**
 * The owner's side of the facts transport (PostgreSQL logical replication): a publication of
 * its `<owner>_facts` tables, and a heartbeat row its running service keeps beating, replicated
 * with the facts, from which every copy tells its own age. PGlite has no replication: there the
 * facts are only ever read in the owner's own database, where no heartbeat is needed.
 */

/** Creates (or brings up to date) the publication `<owner>_facts` FOR its fact tables. Idempotent. */
export async function ensurePublication(store: Store, owner: FactOwner): Promise<void> {
  if (store.kind !== 'postgres') return;
  const schema = factsSchema(owner);
  // Names from FACT_OWNERS / FACT_TABLES, constants of this code: safe as identifiers.
  const tables = FACT_TABLES[owner].map((table) => `${schema}.${table}`).join(', ');
  const [found] = await store.query(sql`SELECT count(*) AS n FROM pg_catalog.pg_publication WHERE pubname = ${schema}`);
  if (Number(found?.['n']) === 0) {
    await store.query(raw(`CREATE PUBLICATION ${schema} FOR TABLE ${tables}`)).catch(async (error: unknown) => {
      // Another replica created it between the look and the create: that is the same outcome.
      const [again] = await store.query(sql`SELECT count(*) AS n FROM pg_catalog.pg_publication WHERE pubname = ${schema}`);
      if (Number(again?.['n']) === 0) throw error;
    });
  } else {
    await store.query(raw(`ALTER PUBLICATION ${schema} SET TABLE ${tables}`));
  }
}

export const HEARTBEAT_INTERVAL_MS = 250;

/** One beat: the owner says "my facts are current as of now" in the same stream as the facts. */
export const beat = (store: Store, owner: FactOwner): Promise<unknown> =>
  store.query(
    raw(`INSERT INTO ${factsSchema(owner)}.heartbeat (publisher, beat_at) VALUES ('${owner}', now())
      ON CONFLICT (publisher) DO UPDATE SET beat_at = EXCLUDED.beat_at`),
  );

export interface Heartbeat {
  /** Stops beating (the owner's facts then age in every copy: consumers fail closed). */
  stop(): void;
}

/**
 * Beats every HEARTBEAT_INTERVAL_MS while the owner's service runs. A failed beat is logged
 * once per run of failures and retried at the next tick: consumers see the age grow, which is
 * the truth (the owner's database is not taking writes).
 */
export function startHeartbeat(store: Store, owner: FactOwner, log: Logger): Heartbeat {
  let failing = false;
  let stopped = false;
  let running = false;
  const tick = async (): Promise<void> => {
    if (running || stopped) return;
    running = true;
    try {
      await beat(store, owner);
      if (failing) log.info({ owner }, 'fact heartbeat recovered');
      failing = false;
    } catch (error) {
      if (!failing) log.warn({ owner, err: error }, 'fact heartbeat failed: copies of these facts will age and fail closed');
      failing = true;
    } finally {
      running = false;
    }
  };
  void tick();
  const timer = setInterval(() => void tick(), HEARTBEAT_INTERVAL_MS);
  timer.unref();
  return {
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
