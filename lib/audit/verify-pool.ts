import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { RUNS_COMPILED } from '../paths.js';
import { sql, type Row, type Store } from '../store/index.js';
import { checkRow, rangeQuery, type CheckedRow, type RowRange } from './verify-rows.js';
import type { RangeResult, RangeTask } from './verify-worker.js';

/**
 * Where the chain walk (verify.ts) gets its rows from, checked: pages of CheckedRow in seq order,
 * every row of the chain exactly once. The walk itself (links, checkpoints, what broke first)
 * is the same whichever source feeds it, so the result and its wording cannot depend on it.
 */
export type RowSource = (chain: string, pageSize: number) => AsyncGenerator<readonly CheckedRow[], void, undefined>;

/**
 * In this thread, one page at a time, the next one read while this one is checked (measured:
 * most of a walk's wall time was the database and Node waiting on each other). Works on every
 * store, PGlite included.
 */
export function inThreadRows(store: Store): RowSource {
  return async function* rows(chain, pageSize) {
    const page = (after: number) => store.query(rangeQuery({ chain, after, through: null, limit: pageSize }));
    let next: ReturnType<typeof page> | null = page(0);
    try {
      while (next !== null) {
        const read: readonly Row[] = await next;
        const tail = read.length === pageSize ? Number(read[read.length - 1]?.['seq']) : Number.NaN;
        next = Number.isSafeInteger(tail) ? page(tail) : null;
        // A page left unread when the walk stops at a break is awaited below; its failure is ignored then.
        next?.catch(() => undefined);
        yield read.map((row) => checkRow(chain, row));
      }
    } finally {
      // A walk that stopped at a break leaves the next page in flight: let it settle before the
      // caller may close the store.
      if (next !== null) await next.catch(() => undefined);
    }
  };
}

/**
 * Worker threads that read and check ranges of a chain in parallel (issue 12: audit:verify at
 * >= 1M records/s needs more than one core; hashing AND decoding rows are the cost, so each
 * worker reads over a connection of its own, verify-worker.ts). PostgreSQL only: PGlite lives in
 * one process. The chain is cut into ranges of pageSize seqs up to the head it had when the walk
 * began, handed out a few ahead of the walk, and taken back in order; past that head, pages
 * follow each other as in the in-thread walk until one comes back short, so events appended
 * meanwhile are walked as before.
 */
export interface VerifyPool {
  readonly size: number;
  readonly rows: (store: Store) => RowSource;
  close(): Promise<void>;
}

export function defaultVerifyWorkers(): number {
  return Math.min(4, availableParallelism());
}

export function startVerifyPool(connectionString: string, size: number = defaultVerifyWorkers()): VerifyPool {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`verify workers must be a positive integer, got ${size}`);
  const ts = !RUNS_COMPILED;
  const file = new URL(`./verify-worker.${ts ? 'ts' : 'js'}`, import.meta.url);
  // Run from TypeScript sources (tsx, vitest), a worker thread does not inherit the loader: it
  // registers tsx's own before importing the worker module.
  const start = (): Worker =>
    ts
      ? new Worker(
          `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then(({ register }) => { register(); return import(${JSON.stringify(file.href)}); });`,
          { eval: true, workerData: { connectionString } },
        )
      : new Worker(file, { workerData: { connectionString } });
  const workers = Array.from({ length: size }, start);
  const alive = new Set(workers);
  const waiting = new Map<number, { resolve: (result: RangeResult) => void; reject: (error: Error) => void }>();
  let failed: Error | null = null;
  const fail = (error: Error): void => {
    failed ??= error;
    for (const { reject } of waiting.values()) reject(error);
    waiting.clear();
  };
  for (const worker of workers) {
    worker.on('message', (result: RangeResult) => {
      const pending = waiting.get(result.id);
      waiting.delete(result.id);
      pending?.resolve(result);
    });
    worker.on('error', fail);
    worker.on('exit', (code) => {
      alive.delete(worker);
      if (code !== 0) fail(new Error(`a verify worker exited with code ${code}`));
    });
  }
  let nextId = 0;
  const run = (range: RowRange): Promise<Extract<RangeResult, { rows: unknown }>> => {
    if (failed !== null) return Promise.reject(failed);
    const id = (nextId += 1);
    const task: RangeTask = { ...range, id };
    const result = new Promise<RangeResult>((resolve, reject) => waiting.set(id, { resolve, reject }));
    (workers[id % size] as Worker).postMessage(task);
    return result.then((answer) => {
      if ('error' in answer) throw new Error(`verify worker: ${answer.error}`);
      return answer;
    });
  };
  const ahead = 2 * size;

  return {
    size,
    rows: (store) =>
      async function* rows(chain, pageSize) {
        const [bounds] = await store.query(sql`SELECT min(e.seq) AS lo, max(e.seq) AS hi FROM audit.events e WHERE e.chain = ${chain}`);
        const lo = bounds?.['lo'] === null || bounds?.['lo'] === undefined ? null : Number(bounds['lo']);
        const hi = bounds?.['hi'] === null || bounds?.['hi'] === undefined ? null : Number(bounds['hi']);
        const ranges: RowRange[] = [];
        if (lo !== null && hi !== null) for (let after = lo - 1; after < hi; after += pageSize) ranges.push({ chain, after, through: Math.min(hi, after + pageSize), limit: pageSize });
        const inFlight: ReturnType<typeof run>[] = [];
        const dispatch = (): void => {
          while (inFlight.length < ahead && ranges.length > 0) {
            const started = run(ranges.shift() as RowRange);
            started.catch(() => undefined);
            inFlight.push(started);
          }
        };
        try {
          dispatch();
          for (let result = inFlight.shift(); result !== undefined; result = inFlight.shift()) {
            const page = await result;
            dispatch();
            yield page.rows;
          }
          // Past the head as it was: page after page, as inThreadRows does.
          let after = hi ?? 0;
          for (;;) {
            const page = await run({ chain, after, through: null, limit: pageSize });
            yield page.rows;
            if (page.count < pageSize || page.lastSeq === null || !Number.isSafeInteger(page.lastSeq)) return;
            after = page.lastSeq;
          }
        } finally {
          // Stopped at a break: let what is in flight settle before the caller closes anything.
          await Promise.all(inFlight.map((pending) => pending.catch(() => undefined)));
        }
      },
    async close() {
      // Each worker closes its connection and exits; one that already exited (it failed) is done.
      await Promise.all(
        [...alive].map(
          (worker) =>
            new Promise<void>((resolve) => {
              worker.once('exit', () => resolve());
              worker.postMessage('close');
            }),
        ),
      );
    },
  };
}
