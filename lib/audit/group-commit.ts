import { TributaryError } from '../errors.js';
import type { Store } from '../store/index.js';
import { appendRows, chainRows, lockChain, type ChainHead } from './chain-rows.js';
import { CHAIN_ID, normalizeEntries, type AuditEntryInput } from './entry.js';
import { eventsOf, type PreparedEvent } from './event-build.js';
import type { AuditCommitObserver, AuditWriter, AuditWriterOptions } from './writer.js';

/** The append queue behind createAuditWriter: callers that arrive together share one commit. */

export const AUDIT_UNAVAILABLE_MESSAGE = 'The audit log could not be written; nothing was released';
export const DEFAULT_APPEND_TIMEOUT_MS = 5_000;
export const DEFAULT_MAX_BATCH_ENTRIES = 5_000;

export const auditUnavailable = (cause: unknown): TributaryError =>
  new TributaryError('AUDIT_UNAVAILABLE', AUDIT_UNAVAILABLE_MESSAGE, { cause });

interface Pending {
  /** The caller's entries as events (event-build.ts), items hashed already. */
  readonly events: readonly PreparedEvent[];
  /** Entries (records) in them: what maxBatchEntries counts. */
  readonly records: number;
  readonly resolve: () => void;
  readonly reject: (error: TributaryError) => void;
  timer: NodeJS.Timeout | undefined;
  settled: boolean;
}

export class GroupCommitWriter implements AuditWriter {
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
    let events: PreparedEvent[];
    try {
      const now = this.now();
      // Grouped per call, never across callers: one caller's failure or timeout must not take
      // another's items out of (or into) an event.
      events = eventsOf(normalizeEntries(entries, now));
    } catch (error) {
      // Only this caller fails: an invalid entry never joins (and so never fails) a group commit.
      return Promise.reject(auditUnavailable(error));
    }
    if (events.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const pending: Pending = { events, records: entries.length, resolve, reject, timer: undefined, settled: false };
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
      const events = batch.flatMap((pending) => pending.events);
      const records = batch.reduce((sum, pending) => sum + pending.records, 0);
      const started = performance.now();
      this.commit(events).then(
        () => {
          this.observe?.('ok', records, (performance.now() - started) / 1000);
          for (const pending of batch) settle(pending);
        },
        (error: unknown) => {
          this.observe?.('failed', records, (performance.now() - started) / 1000);
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
      if (batch.length > 0 && size + next.records > this.maxBatchEntries) break;
      batch.push(next);
      size += next.records;
      this.queue.shift();
    }
    return batch;
  }

  /**
   * One statement in the steady state: the events are chained from the head this writer's
   * previous append will leave, and `audit.append_events` inserts them only if that is the
   * chain's head under the lock (see migration 005). So the next append can be sent while the
   * previous one still commits: it waits for the lock in the database, not for a round trip.
   * When the head is unknown (first append, after a failure) or was not the one expected
   * (another replica appended, or the previous append failed), one transaction locks the
   * chain, reads its head and chains the rows from it.
   */
  private async commit(events: readonly PreparedEvent[]): Promise<void> {
    try {
      if (this.head !== undefined) {
        const rows = chainRows(this.chain, this.head, events);
        this.head = rows.last;
        if ((await appendRows(this.store, this.chain, rows)).appended) return;
        this.head = undefined;
      }
      this.head = await this.store.transaction(async (tx) => {
        const rows = chainRows(this.chain, await lockChain(tx, this.chain), events);
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

function settle(pending: Pending, error?: TributaryError): void {
  if (pending.settled) return;
  pending.settled = true;
  clearTimeout(pending.timer);
  if (error === undefined) pending.resolve();
  else pending.reject(error);
}
