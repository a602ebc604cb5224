import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Sql } from './sql.js';
import type { Queryable, Row, Store } from './store.js';

export interface PostgresOptions {
  readonly connectionString: string;
  readonly poolSize?: number;
  /** Server-side limit per statement; a stuck query fails instead of holding a request forever. */
  readonly statementTimeoutMs?: number;
}

// PostgreSQL bigint (int8) and numeric arrive as strings by default; counts are int8.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));

export function openPostgres(options: PostgresOptions): Store {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: 5_000,
    statement_timeout: options.statementTimeoutMs ?? 10_000,
    query_timeout: (options.statementTimeoutMs ?? 10_000) + 2_000,
  });
  // An idle client losing its connection (server restart) must not crash the process;
  // the next query gets a fresh connection.
  pool.on('error', () => undefined);
  let roundTrips = 0;
  const names = preparedNames();

  const run = async (client: pg.Pool | pg.PoolClient, statement: Sql): Promise<Row[]> => {
    roundTrips += 1;
    const name = await names.nameOf(client, statement.text);
    const values = [...statement.values];
    if (name === undefined) return (await client.query({ text: statement.text, values })).rows as Row[];
    try {
      return (await client.query({ name, text: statement.text, values })).rows as Row[];
    } catch (error) {
      if (!planOutdated(error)) throw error;
      // A migration changed a table under a prepared `SELECT t.*` (another process, during a
      // rolling start): that text runs unnamed from now on. Outside a transaction it is run
      // again at once; inside one the transaction is already aborted, so the error stands.
      names.forget(statement.text);
      if (client !== pool) throw error;
      roundTrips += 1;
      return (await client.query({ text: statement.text, values })).rows as Row[];
    }
  };

  return {
    kind: 'postgres',
    get roundTrips() {
      return roundTrips;
    },
    query: (statement) => run(pool, statement),
    async exec(script) {
      roundTrips += 1;
      await pool.query(script);
    },
    async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        roundTrips += 1;
        await client.query('BEGIN');
        const result = await work({
          query: (statement) => run(client, statement),
          exec: async (script) => {
            roundTrips += 1;
            await client.query(script);
          },
        });
        roundTrips += 1;
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

/**
 * Distinct statement texts prepared per connection, at most. Our statements are built from a
 * fixed set of templates with every value a parameter, so a process sends a few dozen texts;
 * the bound keeps a text that did splice something variable in (trusted `raw`) from growing
 * every connection's set of prepared statements without end: past it, texts run unnamed.
 */
const MAX_PREPARED = 256;

/** PostgreSQL's refusal to run a prepared statement whose result columns changed since it was prepared. */
function planOutdated(error: unknown): boolean {
  return error instanceof Error && (error as { code?: unknown }).code === '0A000' && error.message.includes('cached plan must not change result type');
}

interface PreparedNames {
  nameOf(client: pg.Pool | pg.PoolClient, text: string): Promise<string | undefined> | string | undefined;
  /** Never name `text` again (its prepared statement is outdated on some connection). */
  forget(text: string): void;
}

/**
 * Names for prepared statements (pg's named queries): each connection parses and analyzes a
 * statement once and reuses it, where an unnamed one is parsed, analyzed and planned on every
 * execution. The policy filters and fact subqueries make our hot statements long (a list of
 * persons reads six kinds of link behind freshness checks), so parsing them was a visible part
 * of PostgreSQL's CPU per request. The name is a hash of the text, so one name never stands
 * for two texts, on any connection.
 *
 * Not over the embedded store's server (lib/store/embedded-server.ts): its connections share
 * one PGlite session, so a statement one connection prepared would already exist, by name, for
 * the next connection that prepares it, which is an error there. The server says which it is
 * in `version()`, asked once per pool.
 */
function preparedNames(): PreparedNames {
  const known = new Map<string, string>();
  let served: Promise<boolean> | undefined;
  // Asked on the connection at hand: inside a transaction, the pool may have no other to give.
  const embedded = (client: pg.Pool | pg.PoolClient): Promise<boolean> => {
    // Not counted in `roundTrips`: once per process, and tests count the statements of a request.
    served ??= (async () => {
      const result = await client.query<{ embedded: boolean }>("SELECT version() LIKE '%PGlite%' AS embedded");
      return result.rows[0]?.embedded === true;
    })();
    // A failed probe (server down) is asked again next time rather than remembered.
    served.catch(() => {
      served = undefined;
    });
    return served;
  };
  // '' marks a text that runs unnamed for good.
  const named = (text: string): string | undefined => {
    let name = known.get(text);
    if (name === undefined && known.size < MAX_PREPARED) {
      name = `t${createHash('sha1').update(text).digest('base64url')}`;
      known.set(text, name);
    }
    return name === '' ? undefined : name;
  };
  let decided: boolean | undefined;
  return {
    forget(text) {
      known.set(text, '');
    },
    nameOf(client, text) {
      if (decided === false) return named(text);
      if (decided === true) return undefined;
      return embedded(client).then((isEmbedded) => {
        decided = isEmbedded;
        return isEmbedded ? undefined : named(text);
      });
    },
  };
}
