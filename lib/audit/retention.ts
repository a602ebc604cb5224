import { sql, type Store } from '../store/index.js';
import { isHash } from './chain.js';
import { recordCheckpoints, signCheckpoint, type Checkpoint } from './checkpoints.js';
import { int } from './entry-row.js';
import { loadAuditSigningKey, type AuditKeySource, type AuditSigningKey } from './signing-key.js';
import { lockChain } from './chain-rows.js';

export interface PurgeResult {
  readonly chain: string;
  /** Entries with seq up to this were removed (nothing removed when no cut was needed). */
  readonly through: number;
  readonly removed: number;
  /** The signed RETENTION checkpoint recording the cut; verification starts the chain from it. */
  readonly checkpoint: Checkpoint;
}

/**
 * The retention cut-off for `days` (`Settings.auditRetentionDays`, from `AUDIT_RETENTION_DAYS`,
 * validated at start-up), or null when unset: by default the log is kept forever.
 */
export function retentionCutoff(days: number | undefined, now: Date = new Date()): Date | null {
  return days === undefined ? null : new Date(now.getTime() - days * 86_400_000);
}

/**
 * Removes events older than `cutoff`, per chain, through the one allowed path. For each chain,
 * in one transaction holding the chain's append lock:
 *  1. the cut is the last entry before the first one at or after `cutoff` (a prefix of the chain
 *     is removed; an out-of-order older entry after the cut is kept, never a newer one lost), and
 *     never the head, so appends continue from it;
 *  2. a RETENTION checkpoint of the cut (its seq and hash) is signed and recorded first;
 *  3. audit.purge_events deletes through the cut (the append-only trigger lets only it pass).
 * The remaining chain then verifies from the checkpoint: its first entry's prevHash is the
 * signed hash.
 */
export async function purgeBefore(store: Store, cutoff: Date, options: { readonly key?: AuditSigningKey; readonly keySource?: AuditKeySource; readonly now?: Date } = {}): Promise<readonly PurgeResult[]> {
  const key = options.key ?? (await loadAuditSigningKey(options.keySource));
  const chains = await store.query(sql`SELECT chain FROM audit.chain_heads()`);
  const results: PurgeResult[] = [];
  for (const row of chains) {
    const chain = row['chain'];
    if (typeof chain !== 'string') throw new Error('audit.chain_heads(): malformed row');
    const result = await store.transaction(async (tx) => {
      const head = await lockChain(tx, chain);
      const [cut] = await tx.query(sql`
        SELECT e.seq, e.hash FROM audit.events e
        WHERE e.chain = ${chain}
          AND e.seq < LEAST(${head.seq}::bigint,
                COALESCE((SELECT min(n.seq) FROM audit.events n WHERE n.chain = ${chain} AND n.at >= ${cutoff}), ${head.seq}::bigint))
        ORDER BY e.seq DESC LIMIT 1`);
      if (cut === undefined) return undefined;
      const headHash = cut['hash'];
      if (!isHash(headHash)) throw new Error(`audit chain ${chain}: malformed hash at the cut`);
      const through = int(cut, 'seq');
      const checkpoint = await signCheckpoint(key, { chain, seq: through, headHash, at: options.now ?? new Date(), kind: 'RETENTION' });
      await recordCheckpoints(tx, [checkpoint]);
      const [purged] = await tx.query(sql`SELECT audit.purge_events(${chain}, ${through}::bigint) AS removed`);
      return { chain, through, removed: purged === undefined ? 0 : int(purged, 'removed'), checkpoint };
    });
    if (result !== undefined) results.push(result);
  }
  return results;
}
