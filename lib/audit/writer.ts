import type { ServiceName } from '../domain.js';
import type { Store } from '../store/index.js';
import type { AuditEntryInput } from './entry.js';
import { GroupCommitWriter } from './group-commit.js';

export { AUDIT_UNAVAILABLE_MESSAGE, DEFAULT_APPEND_TIMEOUT_MS, auditUnavailable } from './group-commit.js';

export interface AuditWriter {
  /** The chain this writer appends to. */
  readonly chain: string;
  /**
   * Appends the entries, all or none, as audit events: the entries of one call that share a
   * header (request, service, action, record type, ...) become one event, each entry an item. Resolves only once they are durably committed; rejects
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

/**
 * The audit writer of one service. Concurrency design:
 *
 * - Across processes: every append takes a transaction-scoped advisory lock on the chain and
 *   only then reads the chain's head (`audit.append_events`, or `audit.lock_chain` when the
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
