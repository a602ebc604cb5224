import { sql, type Store } from '../store/index.js';
import { isHash } from './chain.js';
import { recordCheckpoints, signCheckpoint, type Checkpoint, type CheckpointKind } from './checkpoints.js';
import { int } from './entry-row.js';
import { loadAuditSigningKey, type AuditKeySource, type AuditSigningKey } from './signing-key.js';

export interface CheckpointerOptions {
  /** SPEC 6: at least every 10 s while entries are written. */
  readonly intervalMs?: number;
  /** Default: the audit service's key (`loadAuditSigningKey`), from `keySource`. */
  readonly key?: AuditSigningKey;
  /** Where that key comes from (the audit service's settings); default: the environment. */
  readonly keySource?: AuditKeySource;
  /** A failed round is retried at the next tick; this hears about it (default: stderr). */
  readonly onError?: (error: unknown) => void;
  readonly now?: () => Date;
}

export interface Checkpointer {
  /** Signs and records a checkpoint of every chain whose head moved since its last one. */
  checkpointNow(kind?: CheckpointKind): Promise<readonly Checkpoint[]>;
  /** Stops the timer and writes a final (SHUTDOWN) checkpoint: call it on graceful shutdown. */
  stop(): Promise<void>;
}

export const DEFAULT_CHECKPOINT_INTERVAL_MS = 10_000;

/**
 * Runs in the audit service: every `intervalMs`, one checkpoint per chain whose head changed
 * (nothing is written while the log is idle). Several audit replicas may run one each; the
 * worst case is a duplicate checkpoint, which verifies like any other.
 */
export function startCheckpointer(store: Store, options: CheckpointerOptions = {}): Checkpointer {
  const intervalMs = options.intervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS;
  const now = options.now ?? (() => new Date());
  const onError = options.onError ?? ((error: unknown) => console.error('audit checkpoint failed:', error));
  // Rounds run one after another: a slow store must not stack up concurrent rounds.
  let tail: Promise<unknown> = Promise.resolve();
  let inFlight = 0;
  let stopped = false;

  const round = (kind: CheckpointKind): Promise<readonly Checkpoint[]> => {
    inFlight += 1;
    const next = tail.then(async () => writeCheckpoints(store, options.key ?? (await loadAuditSigningKey(options.keySource)), kind, now()));
    tail = next.catch(() => undefined).finally(() => {
      inFlight -= 1;
    });
    return next;
  };

  const timer = setInterval(() => {
    if (inFlight > 0) return;
    round('PERIODIC').catch(onError);
  }, intervalMs);
  // The service's server keeps the process alive; the checkpointer alone must not.
  timer.unref();

  return {
    checkpointNow: (kind = 'PERIODIC') => round(kind),
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      await round('SHUTDOWN');
    },
  };
}

/** Chains whose head is not covered by their newest checkpoint, checkpointed in one INSERT. */
async function writeCheckpoints(store: Store, key: AuditSigningKey, kind: CheckpointKind, at: Date): Promise<readonly Checkpoint[]> {
  const rows = await store.query(sql`
    SELECT h.chain, h.head_seq, h.head_hash
    FROM audit.chain_heads() h
    LEFT JOIN LATERAL (
      SELECT c.seq, c.head_hash FROM audit.checkpoints c WHERE c.chain = h.chain ORDER BY c.seq DESC, c.id DESC LIMIT 1
    ) last ON true
    WHERE last.seq IS DISTINCT FROM h.head_seq OR last.head_hash IS DISTINCT FROM h.head_hash`);
  const checkpoints: Checkpoint[] = [];
  for (const row of rows) {
    const chain = row['chain'];
    const headHash = row['head_hash'];
    if (typeof chain !== 'string' || !isHash(headHash)) throw new Error('audit.chain_heads(): malformed row');
    checkpoints.push(await signCheckpoint(key, { chain, seq: int(row, 'head_seq'), headHash, at, kind }));
  }
  await recordCheckpoints(store, checkpoints);
  return checkpoints;
}
