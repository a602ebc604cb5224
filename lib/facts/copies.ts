import pg from 'pg';
import { raw, sql } from '../store/sql.js';
import type { Store } from '../store/store.js';
import { factsSchema, type FactOwner } from './owners.js';

/**
 * The consumer's side of the facts transport: a copy of an owner's `<owner>_facts` tables in
 * the consumer's own database (the same DDL, applied by the migration runner), kept by a
 * logical-replication SUBSCRIPTION to the owner's publication.
 *
 * Both databases may be on one cluster, where CREATE SUBSCRIPTION cannot create its own slot
 * (it would wait on itself for the slot's snapshot): the slot is made first on the publisher
 * (`pg_create_logical_replication_slot`), then the subscription uses it (`create_slot = false`)
 * and copies the current rows (`copy_data = true`). Every name carries the consumer database's
 * name, so that test databases on one server never share a slot; `dropCopies` removes them.
 */

export interface CopySource {
  readonly owner: FactOwner;
  /** The owner's database (a PostgreSQL connection string). */
  readonly ownerUrl: string;
}

/** `<owner>_facts_to_<consumer database>`, cut to PostgreSQL's 63 characters. */
export const subscriptionName = (owner: FactOwner, consumerDatabase: string): string =>
  `${factsSchema(owner)}_to_${consumerDatabase.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`.slice(0, 63);

const literal = (text: string): string => `'${text.replace(/'/g, "''")}'`;

async function currentDatabase(store: Store): Promise<string> {
  const [row] = await store.query(sql`SELECT current_database() AS name`);
  const name = row?.['name'];
  if (typeof name !== 'string') throw new Error('current_database() answered no name');
  return name;
}

/**
 * Registers the copy (from this moment it counts as stale until its owner's heartbeat arrives:
 * see fresh.ts) and subscribes to the owner's publication. Idempotent across restarts: an
 * existing slot and subscription are kept, and replication resumes where it stopped.
 */
export async function ensureCopy(consumer: Store, source: CopySource, maxLagMs: number): Promise<string> {
  const database = await currentDatabase(consumer);
  const name = subscriptionName(source.owner, database);
  await consumer.query(sql`INSERT INTO public.fact_copies (owner, max_lag_ms, subscription) VALUES (${source.owner}, ${maxLagMs}, ${name})
    ON CONFLICT (owner) DO UPDATE SET max_lag_ms = EXCLUDED.max_lag_ms, subscription = EXCLUDED.subscription`);
  if (consumer.kind !== 'postgres') throw new Error(`${source.owner}'s facts live in another database, and the embedded store cannot subscribe to it`);
  const [subscribed] = await consumer.query(
    sql`SELECT count(*) AS n FROM pg_catalog.pg_subscription WHERE subname = ${name} AND subdbid = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())`,
  );
  if (Number(subscribed?.['n']) > 0) return name;
  const publisher = new pg.Client({ connectionString: source.ownerUrl });
  await publisher.connect();
  try {
    const publication = await publisher.query('SELECT 1 FROM pg_catalog.pg_publication WHERE pubname = $1', [factsSchema(source.owner)]);
    if (publication.rowCount === 0) throw new Error(`${source.owner} has not published its facts yet (no publication ${factsSchema(source.owner)})`);
    const slot = await publisher.query('SELECT 1 FROM pg_catalog.pg_replication_slots WHERE slot_name = $1', [name]);
    if (slot.rowCount === 0) await publisher.query("SELECT pg_create_logical_replication_slot($1, 'pgoutput')", [name]);
  } finally {
    await publisher.end();
  }
  // Names are built from constants and the catalog's database name (sanitised); the
  // connection string is the operator's setting. CREATE SUBSCRIPTION takes no parameters.
  await consumer.query(
    raw(`CREATE SUBSCRIPTION ${name} CONNECTION ${literal(source.ownerUrl)} PUBLICATION ${factsSchema(source.owner)}
      WITH (create_slot = false, slot_name = ${literal(name)}, copy_data = true)`),
  );
  return name;
}

/**
 * Drops every subscription of the database at `consumerUrl` and the slots they hold on their
 * publishers (a leaked slot keeps WAL forever). For dropping a test database; an operator
 * retiring a consumer does the same. Slots are looked for on the consumer's own server.
 */
export async function dropCopies(consumerUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: consumerUrl });
  await client.connect();
  const slots: { name: string; database: string }[] = [];
  try {
    const subscriptions = await client.query<{ subname: string; subslotname: string | null }>(
      'SELECT subname, subslotname FROM pg_catalog.pg_subscription WHERE subdbid = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())',
    );
    for (const { subname, subslotname } of subscriptions.rows) {
      // Detach the slot first: DROP SUBSCRIPTION would otherwise drop it over a connection to
      // the publisher, which fails when the publisher's database is already gone.
      await client.query(`ALTER SUBSCRIPTION ${subname} DISABLE`);
      await client.query(`ALTER SUBSCRIPTION ${subname} SET (slot_name = NONE)`);
      await client.query(`DROP SUBSCRIPTION ${subname}`);
      if (subslotname === null) continue;
      const found = await client.query<{ database: string }>('SELECT database FROM pg_catalog.pg_replication_slots WHERE slot_name = $1', [subslotname]);
      const database = found.rows[0]?.database;
      if (database !== undefined) slots.push({ name: subslotname, database });
    }
  } finally {
    await client.end();
  }
  for (const slot of slots) await dropSlot(consumerUrl, slot.database, slot.name);
}

/** A logical slot is dropped from its own database, once its walsender has let go of it. */
async function dropSlot(serverUrl: string, database: string, slot: string): Promise<void> {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  const client = new pg.Client({ connectionString: url.toString() });
  try {
    await client.connect();
  } catch {
    return; // the publisher's database is gone, and its slots with it
  }
  try {
    for (let attempt = 0; attempt < 50; attempt += 1) {
      const result = await client.query<{ active: boolean }>('SELECT active FROM pg_catalog.pg_replication_slots WHERE slot_name = $1', [slot]);
      const row = result.rows[0];
      if (row === undefined) return;
      if (!row.active) {
        await client.query('SELECT pg_drop_replication_slot($1)', [slot]);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`replication slot ${slot} stayed active: drop it by hand (SELECT pg_drop_replication_slot('${slot}'))`);
  } finally {
    await client.end().catch(() => undefined);
  }
}
