import type { ServiceName } from '../domain.js';
import { TributaryError } from '../errors.js';
import { join, raw, sql, type Queryable, type Store } from '../store/index.js';
import { entryHash, GENESIS_HASH, isHash } from './chain.js';
import { CHAIN_ID, normalizeEntry, type AuditContent, type AuditEntryInput } from './entry.js';
import { int } from './entry-row.js';

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
  /** Told of every commit (the service's metrics): how many entries, how long, whether it held. */
  readonly observe?: AuditCommitObserver;
}

export type AuditCommitObserver = (outcome: 'ok' | 'failed', entries: number, seconds: number) => void;

export const AUDIT_UNAVAILABLE_MESSAGE = 'The audit log could not be written; nothing was released';
export const DEFAULT_APPEND_TIMEOUT_MS = 5_000;
const DEFAULT_MAX_BATCH_ENTRIES = 5_000;

export const auditUnavailable = (cause: unknown): TributaryError =>
  new TributaryError('AUDIT_UNAVAILABLE', AUDIT_UNAVAILABLE_MESSAGE, { cause });

/**
 * The audit writer of one service. Concurrency design:
 *
 * - Across processes: every append takes a transaction-scoped advisory lock on the chain and
 *   only then reads the chain's head (`audit.append_entries`, or `audit.lock_chain` when the
 *   head must be read first), so replicas and subgraph processes writing the same chain take
 *   turns and never fork or interleave it (PRIMARY KEY (chain, seq) backs this up). On PGlite
 *   the transaction is exclusive anyway.
 * - Within a process (group commit): while appends are in flight (at most two, see
 *   PIPELINE_DEPTH), later callers queue; then everything queued is written by ONE statement
 *   (lock, check the head, one multi-row INSERT, durable commit), and every caller in it is
 *   answered by that commit. Throughput grows with load instead of paying one fsync per
 *   request.
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
  private readonly observe: AuditCommitObserver | undefined;
  private queue: Pending[] = [];
  private scheduled = false;
  private inFlight = 0;
  /**
   * The chain's head as this writer's last commit left it, which the next one builds on;
   * unknown at first and after a failure. Only a guess: every transaction checks it under the
   * lock (another replica may have appended since).
   */
  private head: ChainHead | undefined;

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
    this.observe = options.observe;
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
      if (!this.scheduled) {
        this.scheduled = true;
        // A microtask later, so that appends issued in the same tick share one commit.
        queueMicrotask(() => this.drain());
      }
    });
  }

  /**
   * Sends what is queued, up to PIPELINE_DEPTH appends at once. Called a microtask after an
   * append arrives and whenever an append ends, so callers that arrive while appends are in
   * flight go together in the next one.
   */
  private drain(): void {
    this.scheduled = false;
    while (this.inFlight < PIPELINE_DEPTH && this.queue.length > 0) {
      // While the head is unknown only one append may be under way: it reads the head under the lock.
      if (this.head === undefined && this.inFlight > 0) return;
      const batch = this.takeBatch();
      if (batch.length === 0) return;
      this.inFlight += 1;
      const contents = batch.flatMap((pending) => pending.contents);
      const started = performance.now();
      this.commit(contents).then(
        () => {
          this.observe?.('ok', contents.length, (performance.now() - started) / 1000);
          for (const pending of batch) settle(pending);
        },
        (error: unknown) => {
          this.observe?.('failed', contents.length, (performance.now() - started) / 1000);
          const failure = auditUnavailable(error);
          for (const pending of batch) settle(pending, failure);
        },
      ).finally(() => {
        this.inFlight -= 1;
        this.drain();
      });
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

  /**
   * One statement in the steady state: the rows are chained from the head this writer's
   * previous append will leave, and `audit.append_entries` inserts them only if that is the
   * chain's head under the lock (see migration 002). So the next append can be sent while the
   * previous one still commits: it waits for the lock in the database, not for a round trip.
   * When the head is unknown (first append, after a failure) or was not the one expected
   * (another replica appended, or the previous append failed), one transaction locks the
   * chain, reads its head and chains the rows from it.
   */
  private async commit(contents: readonly AuditContent[]): Promise<void> {
    try {
      if (this.head !== undefined) {
        const rows = chainRows(this.chain, this.head, contents);
        this.head = rows.last;
        if ((await appendRows(this.store, this.chain, rows)).appended) return;
        this.head = undefined;
      }
      this.head = await this.store.transaction(async (tx) => {
        const rows = chainRows(this.chain, await lockChain(tx, this.chain), contents);
        // Cannot fail while this transaction holds the chain's lock; refuse rather than guess.
        if (!(await appendRows(tx, this.chain, rows)).appended) throw new Error(`audit chain ${this.chain} moved while locked`);
        return rows.last;
      });
    } catch (error) {
      // Whether it committed is unknown: the next append reads the head under the lock.
      this.head = undefined;
      throw error;
    }
  }
}

/**
 * Appends of one writer in flight at once. Two: one committing (its fsync), the next already
 * sent and waiting for the chain's lock, its parameters parsed meanwhile. More would only make
 * each append smaller.
 */
const PIPELINE_DEPTH = 2;

interface ChainHead {
  readonly seq: number;
  readonly hash: string;
}

/**
 * The entries of one commit chained from `from`, as columns (ENTRY_COLUMN_TYPES order), each
 * already one PostgreSQL array literal.
 */
interface ChainedRows {
  readonly from: ChainHead;
  readonly last: ChainHead;
  readonly columns: readonly string[];
}

/**
 * The columns of `audit.entries` an append writes after `chain`, in the order of
 * `audit.append_entries`'s parameters, each with the type its values travel as. text[] columns
 * travel as text (one array literal per row), because unnest() of a 2-D array cannot carry
 * ragged rows; the function casts them back per row.
 */
const ENTRY_COLUMN_TYPES = [
  ['seq', 'bigint'],
  ['at', 'timestamptz'],
  ['request_id', 'text'],
  ['operation_name', 'text'],
  ['operation_hash', 'text'],
  ['subject_iss', 'text'],
  ['subject_sub', 'text'],
  ['agency', 'text'],
  ['subject_org', 'text'],
  ['roles', 'text[]'],
  ['purpose', 'text'],
  ['justification', 'text'],
  ['action', 'text'],
  ['record_type', 'text'],
  ['record_id', 'text'],
  ['owner_org', 'text'],
  ['person_id', 'text'],
  ['fields_released', 'text[]'],
  ['fields_redacted', 'text[]'],
  ['decision', 'text'],
  ['rules', 'text[]'],
  ['service', 'text'],
  ['reason', 'text'],
  ['prev_hash', 'text'],
  ['hash', 'text'],
] as const;

const NEEDS_ESCAPE = /["\\]/;

/** One element of an array literal: quoted, with backslash and double quote escaped (as the pg driver does). */
function element(value: string | null): string {
  if (value === null) return 'NULL';
  return NEEDS_ESCAPE.test(value) ? `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"` : `"${value}"`;
}

/** A text[] value as the array literal that travels inside the text column of its rows. */
function arrayLiteral(values: readonly string[]): string {
  let literal = '{';
  for (let i = 0; i < values.length; i += 1) literal += (i > 0 ? ',' : '') + element(values[i] as string);
  return `${literal}}`;
}

function chainRows(chain: string, from: ChainHead, contents: readonly AuditContent[]): ChainedRows {
  const columns: string[] = ENTRY_COLUMN_TYPES.map(() => '{');
  let { seq, hash } = from;
  contents.forEach((content, i) => {
    seq += 1;
    const prevHash = hash;
    hash = entryHash(chain, seq, content, prevHash);
    const { subject } = content;
    const row = [
      String(seq),
      element(content.at.toISOString()),
      element(content.requestId),
      element(content.operationName),
      element(content.operationHash),
      element(subject?.iss ?? null),
      element(subject?.sub ?? null),
      element(subject?.agency ?? null),
      element(subject?.org ?? null),
      element(arrayLiteral(subject?.roles ?? [])),
      element(content.purpose),
      element(content.justification),
      element(content.action),
      element(content.recordType),
      element(content.recordId),
      element(content.ownerOrg),
      element(content.personId),
      element(arrayLiteral(content.fieldsReleased)),
      element(arrayLiteral(content.fieldsRedacted)),
      element(content.decision),
      element(arrayLiteral(content.rules)),
      element(content.service),
      element(content.reason),
      element(prevHash),
      element(hash),
    ];
    const separator = i > 0 ? ',' : '';
    row.forEach((value, column) => {
      columns[column] += separator + value;
    });
  });
  return { from, last: { seq, hash }, columns: columns.map((column) => `${column}}`) };
}

/**
 * One call of `audit.append_entries` for any number of entries: every column travels as one
 * array parameter, turned back into rows by unnest() in the database. (jsonb_to_recordset,
 * used before, spent more server CPU converting the document than the INSERT itself;
 * json_to_recordset is slower still with array columns: measured by bench/.)
 */
async function appendRows(db: Queryable, chain: string, rows: ChainedRows): Promise<{ appended: boolean }> {
  const arrays = join(ENTRY_COLUMN_TYPES.map(([, type], i) => sql`${rows.columns[i]}::${raw(type === 'text[]' ? 'text' : type)}[]`));
  const result = await db.query(sql`SELECT appended FROM audit.append_entries(${chain}, ${rows.from.seq}, ${rows.from.hash}, ${arrays})`);
  return { appended: result[0]?.['appended'] === true };
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
export async function lockChain(tx: Queryable, chain: string): Promise<ChainHead> {
  const rows = await tx.query(sql`SELECT head_seq, head_hash FROM audit.lock_chain(${chain})`);
  const head = rows[0];
  if (head === undefined) return { seq: 0, hash: GENESIS_HASH };
  const hash = head['head_hash'];
  if (!isHash(hash)) throw new Error(`audit chain ${chain}: the head's hash is malformed`);
  return { seq: int(head, 'head_seq'), hash };
}
