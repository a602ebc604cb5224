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

  const run = async (client: pg.Pool | pg.PoolClient, statement: Sql): Promise<Row[]> => {
    roundTrips += 1;
    const result = await client.query(statement.text, [...statement.values]);
    return result.rows as Row[];
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
