import { connect, StorageType, type JetStreamClient, type JetStreamManager, type NatsConnection } from 'nats';
import { sql, type Store } from '../store/index.js';
import { CHAIN_HEADS_SQL } from './indexer.js';
import { EVENT_COLUMNS } from './event-row.js';
import { encodeStreamMessage, streamSubject } from './stream-message.js';

/**
 * Export of the audit log to NATS JetStream (SPEC section 6, AUDIT_STREAM_URL): every committed
 * event is published to stream TRIBUTARY_AUDIT, subject `audit.<chain>`, in chain order, at
 * least once.
 *
 * - After the commit, never on the request path: this tails audit.events per chain, so a stream
 *   outage cannot slow or refuse a request; it is reported (status(), metrics, auditChainStatus).
 * - In order, never skipping: one chain's events are published one after another, each waiting
 *   for its ack, so the stream never holds an event whose predecessor it lacks.
 * - Resume: where to go on from is read back from the stream itself (its last message on the
 *   chain's subject), at start and after any failure, so a restart or a lost ack resends from
 *   the last acknowledged event on. Resends carry the same Nats-Msg-Id (`<chain>:<seq>`), which
 *   JetStream de-duplicates within its window; a consumer skips any older duplicate by seq.
 */
export const AUDIT_STREAM = 'TRIBUTARY_AUDIT';
export const AUDIT_SUBJECT_PREFIX = 'audit';

export interface StreamExportOptions {
  readonly url: string;
  /** Stream and subject prefix (tests use their own, so they never mix with a real export). */
  readonly stream?: string;
  readonly subjectPrefix?: string;
  readonly batchEvents?: number;
  /** Idle poll interval when caught up; default 100 ms. */
  readonly intervalMs?: number;
  /** Wait before reconnecting after a failure; default 1,000 ms. */
  readonly retryMs?: number;
  /** Longest wait for one ack (or the connection); default 2,000 ms. */
  readonly timeoutMs?: number;
  readonly onError?: (error: unknown) => void;
  /** Called after each acknowledged batch (metrics). */
  readonly onPublished?: (events: number) => void;
}

export interface StreamExportStatus {
  readonly connected: boolean;
  /** Since when the stream could not be reached or refused; null while it works. */
  readonly outageSince: Date | null;
  readonly lastError: string | null;
  /** Events acknowledged by the stream since this exporter started. */
  readonly publishedEvents: number;
  /** Per chain, the last seq the stream acknowledged (as far as this exporter knows). */
  readonly acknowledged: ReadonlyMap<string, number>;
}

export interface AuditStreamExporter {
  status(): StreamExportStatus;
  wake(): void;
  stop(): Promise<void>;
}

/** Exporters running in this process, by store: auditChainStatus reports theirs. */
const running = new WeakMap<Store, AuditStreamExporter>();
export const runningStreamExport = (store: Store): AuditStreamExporter | undefined => running.get(store);

export function startStreamExport(store: Store, options: StreamExportOptions): AuditStreamExporter {
  const stream = options.stream ?? AUDIT_STREAM;
  const prefix = options.subjectPrefix ?? AUDIT_SUBJECT_PREFIX;
  const timeout = options.timeoutMs ?? 2_000;
  const batchEvents = options.batchEvents ?? 500;
  let nc: NatsConnection | null = null;
  let js: JetStreamClient | null = null;
  let jsm: JetStreamManager | null = null;
  let stopped = false;
  let outageSince: Date | null = null;
  let lastError: string | null = null;
  let publishedEvents = 0;
  // Trusted only while the connection that learnt them lives: cleared after any failure, and
  // re-read from the stream, since an ack lost in the failure leaves the stream ahead of us.
  const resumeFrom = new Map<string, number>();
  const acknowledged = new Map<string, number>();
  let wakeUp: (() => void) | null = null;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        wakeUp = null;
        resolve();
      }
      wakeUp = done;
    });

  async function open(): Promise<{ js: JetStreamClient; jsm: JetStreamManager }> {
    if (nc !== null && js !== null && jsm !== null && !nc.isClosed()) return { js, jsm };
    // No automatic reconnect: a failure surfaces here at once, is reported, and the next
    // attempt starts clean (and re-reads the resume points).
    nc = await connect({ servers: options.url, reconnect: false, timeout, name: 'tributary-audit-export' });
    js = nc.jetstream({ timeout });
    jsm = await nc.jetstreamManager({ timeout });
    await ensureStream(jsm, stream, prefix);
    return { js, jsm };
  }

  /**
   * The last seq the stream holds for the chain, checked against the log: a stream that holds
   * another log's event there (a database rebuilt under the same chain names, a wrong URL)
   * would otherwise make us skip this log's events up to that seq. That stops the export,
   * reported as an outage naming it, rather than skip silently.
   */
  async function lastAcknowledged(manager: JetStreamManager, chain: string): Promise<number> {
    let last: { seq?: unknown; hash?: unknown };
    try {
      const message = await manager.streams.getMessage(stream, { last_by_subj: streamSubject(prefix, chain) });
      last = JSON.parse(new TextDecoder().decode(message.data)) as { seq?: unknown; hash?: unknown };
    } catch (error) {
      if (isNoMessage(error)) return 0;
      throw error;
    }
    const seq = Number(last.seq);
    if (!Number.isSafeInteger(seq) || seq < 1) throw new Error(`stream ${stream}: the last message on ${streamSubject(prefix, chain)} has no seq`);
    const [held] = await store.query(sql`
      SELECT (SELECT e.hash FROM audit.events e WHERE e.chain = ${chain} AND e.seq = ${seq}) AS hash,
        (SELECT min(e.seq) FROM audit.events e WHERE e.chain = ${chain}) AS first_seq`);
    const hash = held?.['hash'];
    const purged = (hash === null || hash === undefined) && Number(held?.['first_seq']) > seq;
    if (!purged && hash !== last.hash) {
      throw new Error(`stream ${stream} holds ${chain}:${seq} with another hash than this log has there: not exporting chain ${chain} into it`);
    }
    return seq;
  }

  /** One pass over every chain; true when it published anything. */
  async function exportPass(): Promise<boolean> {
    const { js: client, jsm: manager } = await open();
    let published = 0;
    for (const head of await store.query(CHAIN_HEADS_SQL)) {
      const chain = String(head['chain']);
      const headSeq = Number(head['head_seq']);
      let from = resumeFrom.get(chain) ?? (await lastAcknowledged(manager, chain));
      resumeFrom.set(chain, from);
      acknowledged.set(chain, from);
      while (from < headSeq && !stopped) {
        const rows = await store.query(sql`
          SELECT ${EVENT_COLUMNS} FROM audit.events e WHERE e.chain = ${chain} AND e.seq > ${from} ORDER BY e.seq LIMIT ${batchEvents}`);
        if (rows.length === 0) break;
        for (const row of rows) {
          const seq = Number(row['seq']);
          await client.publish(streamSubject(prefix, chain), JSON.stringify(encodeStreamMessage(row)), { msgID: `${chain}:${seq}`, timeout });
          from = seq;
          resumeFrom.set(chain, seq);
          acknowledged.set(chain, seq);
          publishedEvents += 1;
          published += 1;
        }
        options.onPublished?.(rows.length);
      }
    }
    return published > 0;
  }

  async function dropConnection(): Promise<void> {
    const closing = nc;
    nc = null;
    js = null;
    jsm = null;
    await closing?.close().catch(() => undefined);
  }

  const loop = (async () => {
    while (!stopped) {
      let progressed = false;
      try {
        progressed = await exportPass();
        outageSince = null;
        lastError = null;
      } catch (error) {
        outageSince ??= new Date();
        lastError = error instanceof Error ? error.message : String(error);
        options.onError?.(error);
        resumeFrom.clear();
        await dropConnection();
        if (!stopped) await sleep(options.retryMs ?? 1_000);
        continue;
      }
      if (!progressed && !stopped) await sleep(options.intervalMs ?? 100);
    }
  })();

  const exporter: AuditStreamExporter = {
    status: () => ({ connected: nc !== null && !nc.isClosed() && outageSince === null, outageSince, lastError, publishedEvents, acknowledged: new Map(acknowledged) }),
    wake: () => wakeUp?.(),
    async stop() {
      stopped = true;
      wakeUp?.();
      await loop;
      await nc?.drain().catch(() => undefined);
      if (running.get(store) === exporter) running.delete(store);
    },
  };
  running.set(store, exporter);
  return exporter;
}

async function ensureStream(jsm: JetStreamManager, stream: string, prefix: string): Promise<void> {
  try {
    await jsm.streams.info(stream);
  } catch (error) {
    if (!isNotFound(error)) throw error;
    // File storage: the stream is a copy of the log for others to keep, not a cache.
    await jsm.streams.add({ name: stream, subjects: [`${prefix}.>`], storage: StorageType.File });
  }
}

/** JetStream's API error codes: 10059 stream not found, 10037 no message found. */
function apiErrorCode(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('api_error' in error)) return undefined;
  const api = (error as { api_error?: { err_code?: unknown } }).api_error;
  return typeof api?.err_code === 'number' ? api.err_code : undefined;
}

const isNotFound = (error: unknown): boolean => apiErrorCode(error) === 10059;
const isNoMessage = (error: unknown): boolean => apiErrorCode(error) === 10037;
