import { parentPort, workerData } from 'node:worker_threads';
import { openPostgres } from '../store/index.js';
import { checkRow, rangeQuery, type CheckedRow, type RowRange } from './verify-rows.js';

/**
 * A verify worker thread (verify-pool.ts): reads the ranges of audit.events it is given over a
 * connection of its own and checks each row against its own hash (event-verify.ts). Reading in
 * the worker matters as much as hashing there: decoding the rows is a good part of the cost.
 * Links between rows and every decision stay with the walk in the main thread.
 */
export interface RangeTask extends RowRange {
  readonly id: number;
}

export type RangeResult =
  | { readonly id: number; readonly rows: readonly CheckedRow[]; readonly count: number; readonly lastSeq: number | null }
  | { readonly id: number; readonly error: string };

const { connectionString } = workerData as { readonly connectionString: string };
const port = parentPort;
if (port === null) throw new Error('verify-worker.ts runs as a worker thread (verify-pool.ts)');
// A walk holds long scans: no statement limit beyond a generous one.
const store = openPostgres({ connectionString, poolSize: 2, statementTimeoutMs: 600_000 });

port.on('message', (task: RangeTask | 'close') => {
  if (task === 'close') {
    void store.close().finally(() => port.close());
    return;
  }
  store.query(rangeQuery(task)).then(
    (rows) => {
      const checked = rows.map((row) => checkRow(task.chain, row));
      const last = checked.at(-1);
      const result: RangeResult = { id: task.id, rows: checked, count: rows.length, lastSeq: last === undefined ? null : last.rowSeq };
      port.postMessage(result);
    },
    (error: unknown) => port.postMessage({ id: task.id, error: error instanceof Error ? error.message : String(error) } satisfies RangeResult),
  );
});
