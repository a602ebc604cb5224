/**
 * The split deployment's five databases on one PostgreSQL server: created when missing,
 * dropped first with `--fresh`. Names come from the topology (a fixed prefix and an agency
 * name), never from input, and are still checked before they reach SQL as identifiers.
 */
import pg from 'pg';
import { dropCopies } from '../../lib/facts/copies.js';

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

export interface DatabaseOutcome {
  readonly name: string;
  readonly status: 'created' | 'existing';
}

async function withAdmin<T>(serverUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  // The server's maintenance database: the one named in the URL may be one of those dropped.
  const url = new URL(serverUrl);
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Drops databases, each after its policy-fact subscriptions and their replication slots (on the
 * publishers' databases): a slot left behind holds WAL forever, and a subscription keeps its
 * database from being dropped.
 */
async function drop(client: pg.Client, serverUrl: string, names: readonly string[]): Promise<void> {
  for (const name of names) {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) continue;
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    await dropCopies(url.toString());
  }
  for (const name of names) await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

function checked(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`not a plain database name: "${name}"`);
  return name;
}

/** Creates each database that does not exist yet; with `fresh`, drops every one first (FORCE: a left-over run's connections too). */
export async function ensureDatabases(serverUrl: string, names: readonly string[], options: { readonly fresh: boolean }): Promise<readonly DatabaseOutcome[]> {
  return withAdmin(serverUrl, async (client) => {
    const outcomes: DatabaseOutcome[] = [];
    if (options.fresh) await drop(client, serverUrl, names.map(checked));
    for (const name of names.map(checked)) {
      const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (found.rowCount === 0) {
        await client.query(`CREATE DATABASE ${name}`);
        outcomes.push({ name, status: 'created' });
      } else {
        outcomes.push({ name, status: 'existing' });
      }
    }
    return outcomes;
  });
}

/** Drops the databases (the test's own run, when it ends). */
export async function dropDatabases(serverUrl: string, names: readonly string[]): Promise<void> {
  await withAdmin(serverUrl, (client) => drop(client, serverUrl, names.map(checked)));
}
