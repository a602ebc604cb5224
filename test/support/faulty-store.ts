import type { Queryable, Row, Sql, Store } from '../../lib/store/index.js';

/**
 * How the store behaves: `reject` is a database that refuses (down, restarting, connections
 * terminated), `hang` one that never answers (a lost network, a lock held forever).
 */
export type StoreFault = 'healthy' | 'reject' | 'hang';

export interface FaultyStore {
  readonly store: Store;
  set(fault: StoreFault): void;
  /** Statements refused or left hanging since the store was made. */
  readonly failures: number;
}

/**
 * What a database driver says when the server is gone, with the SQL it was running: the kind
 * of detail (SQL text, a connection string with a password) that must never reach a client.
 */
export const FAULT_MESSAGE_MARKERS = ['terminating connection', 'postgres://tributary:s3cret@db.internal', 'SELECT'] as const;

function storeDown(statement: string): Error {
  const error = new Error(
    `terminating connection due to administrator command (postgres://tributary:s3cret@db.internal/records) while running: ${statement.slice(0, 120)}`,
  );
  return Object.assign(error, { code: '57P01', severity: 'FATAL' });
}

/**
 * Wraps a store so that a test can take it down and bring it back while services use it: every
 * statement, inside a transaction or not, fails (or hangs) while a fault is set. Hanging
 * statements are released with an error when the store heals, so nothing leaks.
 */
export function faultyStore(inner: Store): FaultyStore {
  let fault: StoreFault = 'healthy';
  let failures = 0;
  const hanging = new Set<(error: Error) => void>();

  const guard = (statement: string): Promise<void> | undefined => {
    if (fault === 'healthy') return undefined;
    failures += 1;
    if (fault === 'reject') return Promise.reject(storeDown(statement));
    return new Promise<void>((_resolve, reject) => hanging.add(reject));
  };
  const query = async (target: Queryable, statement: Sql): Promise<Row[]> => {
    await guard(statement.text);
    return target.query(statement);
  };
  const exec = async (target: Queryable, script: string): Promise<void> => {
    await guard(script);
    return target.exec(script);
  };

  const store: Store = {
    kind: inner.kind,
    get roundTrips() {
      return inner.roundTrips;
    },
    query: (statement) => query(inner, statement),
    exec: (script) => exec(inner, script),
    async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
      await guard('BEGIN');
      return inner.transaction((tx) => work({ query: (statement) => query(tx, statement), exec: (script) => exec(tx, script) }));
    },
    // The inner store belongs to whoever made it.
    close: async () => undefined,
  };
  return {
    store,
    get failures() {
      return failures;
    },
    set(next) {
      fault = next;
      if (next === 'healthy') {
        for (const release of hanging) release(new Error('the store came back; this statement was abandoned'));
        hanging.clear();
      }
    },
  };
}
