import type { Sql } from './sql.js';

/** A row as it comes from the driver: validated by the reader of each table, never trusted. */
export type Row = Readonly<Record<string, unknown>>;

export interface Queryable {
  query(statement: Sql): Promise<Row[]>;
  /** Plain SQL script (migrations): several statements, no parameters. */
  exec(script: string): Promise<void>;
}

/**
 * One store interface, two drivers (`pg` for a real PostgreSQL, PGlite embedded): the same SQL
 * runs on both. `roundTrips` counts statements sent, so tests can prove batching.
 */
export interface Store extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  readonly roundTrips: number;
  close(): Promise<void>;
}
