import { GraphQLError } from 'graphql';
import pg from 'pg';

/**
 * What every plain subgraph shares: a `pg` pool, keyset pages, cursors. Written the way a
 * team without a platform would write it: `SELECT *`, rows handed to resolvers as they come.
 * FOR THE BENCHMARK ONLY (scenario (d)): no access control, no audit, no token checks.
 */

/** A row as `pg` hands it over: the SDL decides what is read from it. */
export type Row = Readonly<Record<string, unknown>>;

export interface Db {
  query(text: string, values?: readonly unknown[]): Promise<Row[]>;
  /** Statements sent so far (the benchmark's SQL/req column); counting costs an increment. */
  readonly statements: number;
  close(): Promise<void>;
}

/** One pool per subgraph, `pg`'s default size (10), as a service of its own would have. */
export function openDb(connectionString: string): Db {
  const pool = new pg.Pool({ connectionString });
  let statements = 0;
  return {
    async query(text, values = []) {
      statements += 1;
      const result = await pool.query<Row>(text, [...values]);
      return result.rows;
    },
    get statements() {
      return statements;
    },
    close: () => pool.end(),
  };
}

/**
 * The same opaque cursor format as Tributary's (`<Type>:<id>`, base64url), so that one request
 * (the N = 1,000 workload's second page starts at a cursor) pages both scenarios alike.
 */
export const encodeCursor = (type: string, id: string): string => Buffer.from(`${type}:${id}`, 'utf8').toString('base64url');

export function decodeCursor(type: string, cursor: string): string {
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!decoded.startsWith(`${type}:`)) throw new GraphQLError(`not a ${type} cursor`, { extensions: { code: 'BAD_USER_INPUT' } });
  return decoded.slice(type.length + 1);
}

export interface PageArgs {
  readonly first?: number | null;
  readonly after?: string | null;
}

export interface Connection {
  readonly edges: readonly { readonly cursor: string; readonly node: Row }[];
  readonly pageInfo: { readonly hasNextPage: boolean; readonly endCursor: string | null };
  /** graphql-js calls a function-valued property: the count runs only when `totalCount` is asked for. */
  readonly totalCount: () => Promise<number>;
}

const DEFAULT_PAGE = 50;
const MAX_PAGE = 500;

/**
 * A keyset page of `table` ordered by id: `SELECT * … WHERE id > $after ORDER BY id LIMIT
 * first + 1` (the extra row says whether another page follows). `equals` filters by column.
 */
export async function keysetPage(db: Db, type: string, table: string, args: PageArgs, equals: Readonly<Record<string, unknown>> = {}): Promise<Connection> {
  const first = Math.min(Math.max(args.first ?? DEFAULT_PAGE, 0), MAX_PAGE);
  const filters = Object.entries(equals).filter(([, value]) => value !== undefined && value !== null);
  const values: unknown[] = filters.map(([, value]) => value);
  const conditions = filters.map(([column], index) => `${column} = $${index + 1}`);
  const countSql = `SELECT count(*)::int AS n FROM ${table}${conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : ''}`;
  const countValues = [...values];
  if (args.after) {
    values.push(decodeCursor(type, args.after));
    conditions.push(`id > $${values.length}`);
  }
  values.push(first + 1);
  const where = conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '';
  const rows = await db.query(`SELECT * FROM ${table}${where} ORDER BY id LIMIT $${values.length}`, values);
  const page = rows.slice(0, first);
  const edges = page.map((node) => ({ cursor: encodeCursor(type, String(node['id'])), node }));
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount: async () => Number((await db.query(countSql, countValues))[0]?.['n'] ?? 0),
  };
}

/** Groups rows by a column, in the order of `keys`: what a DataLoader batch function returns. */
export function groupBy(rows: readonly Row[], column: string, keys: readonly string[]): Row[][] {
  const groups = new Map<string, Row[]>(keys.map((key) => [key, []]));
  for (const row of rows) groups.get(String(row[column]))?.push(row);
  return keys.map((key) => groups.get(key) ?? []);
}

/** One row per key (or null), in the order of `keys`. */
export function byId(rows: readonly Row[], keys: readonly string[]): (Row | null)[] {
  const found = new Map(rows.map((row) => [String(row['id']), row]));
  return keys.map((key) => found.get(key) ?? null);
}

/** Timestamps as ISO strings (the plain schema has no DateTime scalar). */
export const iso = (value: unknown): string | null => (value instanceof Date ? value.toISOString() : value === null || value === undefined ? null : String(value));
