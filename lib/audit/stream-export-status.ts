import { sql, type Store } from '../store/index.js';
import { CHAIN_HEADS_SQL } from './indexer.js';
import { runningStreamExport } from './stream-export.js';

/**
 * The stream export as auditChainStatus and /metrics report it: whether the stream takes
 * events, since when it does not, and how far behind it is: the age of the oldest committed
 * event the stream has not acknowledged (0 when it holds them all). null when no export runs
 * in this process (AUDIT_STREAM_URL unset).
 */
export interface StreamStatus {
  readonly connected: boolean;
  readonly outageSince: Date | null;
  readonly lastError: string | null;
  readonly publishedEvents: number;
  readonly lagMs: number;
}

export async function streamExportStatus(store: Store, now: Date = new Date()): Promise<StreamStatus | null> {
  const exporter = runningStreamExport(store);
  if (exporter === undefined) return null;
  const status = exporter.status();
  let oldest: number | null = null;
  for (const head of await store.query(CHAIN_HEADS_SQL)) {
    const chain = String(head['chain']);
    const acknowledged = status.acknowledged.get(chain) ?? 0;
    if (Number(head['head_seq']) <= acknowledged) continue;
    const [next] = await store.query(sql`SELECT e.at FROM audit.events e WHERE e.chain = ${chain} AND e.seq > ${acknowledged} ORDER BY e.seq LIMIT 1`);
    const at = next?.['at'];
    const time = at instanceof Date ? at.getTime() : at === undefined ? null : new Date(String(at)).getTime();
    if (time !== null && (oldest === null || time < oldest)) oldest = time;
  }
  return {
    connected: status.connected,
    outageSince: status.outageSince,
    lastError: status.lastError,
    publishedEvents: status.publishedEvents,
    lagMs: oldest === null ? 0 : Math.max(0, now.getTime() - oldest),
  };
}
