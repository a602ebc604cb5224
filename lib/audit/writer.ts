import type { ServiceName } from '../domain.js';
import { TributaryError } from '../errors.js';
import { raw, sql, type Queryable, type Store } from '../store/index.js';
import { entryHash, GENESIS_HASH, isHash } from './chain.js';
import { CHAIN_ID, normalizeEntry, type AuditContent, type AuditEntryInput } from './entry.js';
import { ENTRY_INSERT_COLUMNS, ENTRY_RECORD_TYPE, entryRecord, int } from './entry-row.js';

export interface AuditWriter {
  /** The chain this writer appends to. */
  readonly chain: string;
  /**
   * Appends the entries, all or none. Resolves only once they are durably committed; rejects
   * with AUDIT_UNAVAILABLE otherwise (store down, timeout, invalid entry).
   *
   * Fail closed: callers must not release anything the entries describe before this resolves,
   * and must release nothing when it rejects.
   */
  append(entries: readonly AuditEntryInput[]): Promise<void>;
}

export interface AuditWriterOptions {
  readonly service: ServiceName;
  /** Default: the service name. One chain per service, shared by all of its replicas. */
  readonly chainId?: string;
  /**
   * Longest an `append` may wait, queueing included, before it rejects (default 5 s). A hung
   * audit store must fail the request, not hold it.
   */
  readonly timeoutMs?: number;
  /** Most entries one transaction carries (default 5,000); one call's entries are never split. */
  readonly maxBatchEntries?: number;
  /** Clock for entries without `at` (tests freeze it). */
  readonly now?: () => Date;
}

export const AUDIT_UNAVAILABLE_MESSAGE = 'The audit log could not be written; nothing was released';
export const DEFAULT_APPEND_TIMEOUT_MS = 5_000;
const DEFAULT_MAX_BATCH_ENTRIES = 5_000;

export const auditUnavailable = (cause: unknown): TributaryError =>
  new TributaryError('AUDIT_UNAVAILABLE', AUDIT_UNAVAILABLE_MESSAGE, { cause });

/**
 * The audit writer of one service. Concurrency design:
 *
 * - Across processes: every append transaction first calls `audit.lock_chain(chain)`, which
 *   takes a transaction-scoped advisory lock on the chain and only then reads the chain's head,
 *   so replicas and subgraph processes writing the same chain take turns and never fork or
 *   interleave it (UNIQUE (chain, seq) backs this up). On PGlite the transaction is exclusive anyway.
 * - Within a process (group commit): while one transaction is in flight, later callers queue;
 *   when it ends, everything queued is written by ONE transaction (lock, one multi-row INSERT,
 *   commit), and every caller in it is answered by that commit. Throughput grows with load
 *   instead of paying one fsync per request.
 *
 * A failed transaction rejects every caller in it and commits nothing (dataloader's rule: a
 * failed batch fails every waiter).
 */
export function createAuditWriter(store: Store, options: AuditWriterOptions): AuditWriter {
  return new GroupCommitWriter(store, options);
}

interface Pending {
  readonly contents: readonly AuditContent[];
  readonly resolve: () => void;
  readonly reject: (error: TributaryError) => void;
  timer: NodeJS.Timeout | undefined;
  settled: boolean;
}

class GroupCommitWriter implements AuditWriter {
  readonly chain: string;
  private readonly timeoutMs: number;
  private readonly maxBatchEntries: number;
  private readonly now: () => Date;
  private queue: Pending[] = [];
  private draining = false;

  constructor(
    private readonly store: Store,
    options: AuditWriterOptions,
  ) {
    this.chain = options.chainId ?? options.service;
    if (!CHAIN_ID.test(this.chain)) {
      throw new RangeError(`audit chain id must match ${CHAIN_ID.source}, got ${JSON.stringify(this.chain)}`);
    }
    this.timeoutMs = options.timeoutMs ?? DEFAULT_APPEND_TIMEOUT_MS;
    this.maxBatchEntries = options.maxBatchEntries ?? DEFAULT_MAX_BATCH_ENTRIES;
    if (!(this.timeoutMs > 0) || !Number.isInteger(this.maxBatchEntries) || this.maxBatchEntries < 1) {
      throw new RangeError('audit writer: timeoutMs must be > 0 and maxBatchEntries a positive integer');
    }
    this.now = options.now ?? (() => new Date());
  }

  append(entries: readonly AuditEntryInput[]): Promise<void> {
    let contents: AuditContent[];
    try {
      const now = this.now();
      contents = entries.map((entry) => normalizeEntry(entry, now));
    } catch (error) {
      // Only this caller fails: an invalid entry never joins (and so never fails) a group commit.
      return Promise.reject(auditUnavailable(error));
    }
    if (contents.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const pending: Pending = { contents, resolve, reject, timer: undefined, settled: false };
      // Fail closed on time: the caller gets its answer within timeoutMs even if the store hangs.
      // A transaction already under way may still commit later; then the log holds entries for
      // records that were never released, which errs on the safe side (never the reverse).
      pending.timer = setTimeout(
        () => settle(pending, auditUnavailable(new Error(`audit append timed out after ${this.timeoutMs} ms`))),
        this.timeoutMs,
      );
      this.queue.push(pending);
      if (!this.draining) {
        this.draining = true;
        // A microtask later, so that appends issued in the same tick share the first transaction.
        queueMicrotask(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.takeBatch();
        if (batch.length === 0) continue;
        try {
          await this.commit(batch.flatMap((pending) => pending.contents));
          for (const pending of batch) settle(pending);
        } catch (error) {
          const failure = auditUnavailable(error);
          for (const pending of batch) settle(pending, failure);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  /** Whole callers, oldest first, up to maxBatchEntries (at least one caller); timed-out ones dropped. */
  private takeBatch(): Pending[] {
    const batch: Pending[] = [];
    let size = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0] as Pending;
      if (next.settled) {
        // Its caller already gave up and released nothing: do not record an access that never happened.
        this.queue.shift();
        continue;
      }
      if (batch.length > 0 && size + next.contents.length > this.maxBatchEntries) break;
      batch.push(next);
      size += next.contents.length;
      this.queue.shift();
    }
    return batch;
  }

  /** One transaction: lock the chain and read its head, then one INSERT of every entry. */
  private commit(contents: readonly AuditContent[]): Promise<void> {
    return this.store.transaction(async (tx) => {
      let { seq, hash } = await lockChain(tx, this.chain);
      const records: Record<string, unknown>[] = [];
      for (const content of contents) {
        seq += 1;
        const prevHash = hash;
        hash = entryHash(this.chain, seq, content, prevHash);
        records.push(entryRecord(this.chain, seq, content, prevHash, hash));
      }
      // All rows travel as one json parameter (json_to_recordset): one statement for any batch
      // size, and ragged text[] columns, which unnest() of 2-D arrays cannot carry. json, not
      // jsonb: the text is read once, field by field, instead of first being converted to a
      // jsonb tree (a third less server CPU per entry, measured by bench/).
      await tx.query(sql`
        INSERT INTO audit.entries (${raw(ENTRY_INSERT_COLUMNS)})
        SELECT ${raw(ENTRY_INSERT_COLUMNS)}
        FROM json_to_recordset(${JSON.stringify(records)}::json) AS r(${raw(ENTRY_RECORD_TYPE)})
        ORDER BY seq`);
    });
  }
}

function settle(pending: Pending, error?: TributaryError): void {
  if (pending.settled) return;
  pending.settled = true;
  clearTimeout(pending.timer);
  if (error === undefined) pending.resolve();
  else pending.reject(error);
}

/**
 * Takes the chain's append lock for the rest of the transaction and returns its head (seq 0 and
 * the genesis hash for a new chain). See audit.lock_chain in the migration for why this is one
 * function call and not two statements here.
 */
export async function lockChain(tx: Queryable, chain: string): Promise<{ seq: number; hash: string }> {
  const rows = await tx.query(sql`SELECT head_seq, head_hash FROM audit.lock_chain(${chain})`);
  const head = rows[0];
  if (head === undefined) return { seq: 0, hash: GENESIS_HASH };
  const hash = head['head_hash'];
  if (!isHash(hash)) throw new Error(`audit chain ${chain}: the head's hash is malformed`);
  return { seq: int(head, 'head_seq'), hash };
}
