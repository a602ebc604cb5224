import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * A throwaway PostgreSQL database for one run, created through an admin connection and
 * dropped at the end, so a run never touches anyone's data. BENCH_ADMIN_URL names the admin
 * connection (default: the `postgres` database on 127.0.0.1:5432, else the `test` one).
 * Bench-only, so read here rather than in `Settings`: no service ever reads it.
 */
const ADMIN_URLS = process.env['BENCH_ADMIN_URL']
  ? [process.env['BENCH_ADMIN_URL']]
  : ['postgres://postgres@127.0.0.1:5432/postgres', 'postgres://postgres@127.0.0.1:5432/test'];

export interface BenchDatabase {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

async function admin(statement: string): Promise<string> {
  let lastError: unknown;
  for (const url of ADMIN_URLS) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.query(statement);
      return url;
    } catch (error) {
      lastError = error;
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  throw new Error(`cannot reach PostgreSQL as admin (${ADMIN_URLS.join(', ')}): ${String(lastError)}`, { cause: lastError });
}

export async function createBenchDatabase(suffix = ''): Promise<BenchDatabase> {
  const name = `tributary_bench_${randomBytes(5).toString('hex')}${suffix}`;
  const adminUrl = await admin(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    name,
    url: url.toString(),
    async drop() {
      if (dropped) return;
      dropped = true;
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
