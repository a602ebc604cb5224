import { sql, type Store } from '../store/index.js';
import { runningIndexer } from './indexer-run.js';
import { CHAIN_HEADS_SQL, indexPass } from './indexer.js';

/**
 * Read-your-writes for auditors. The per-item index is filled after the commit, so an
 * auditor's query could miss events committed just before it, her own included. Before
 * answering, the API calls this: it takes the heads of every chain as of the query's start and
 * waits (bounded) until the index holds them. Events committed after the query started are not
 * waited for, so a busy log cannot keep an auditor waiting; a chain the indexer found broken is
 * not waited for either (it will not move; auditChainStatus reports it).
 *
 * When an indexer runs in this process it is woken; when none does (a subgraph started alone,
 * a tool) the caller indexes inline, under the same per-chain locks, so the answer is still
 * complete.
 */
export const INDEX_WAIT_MS = 2_000;

export interface IndexWait {
  /** true when every chain's head as of the start is indexed (or its chain is broken). */
  readonly caughtUp: boolean;
  readonly waitedMs: number;
}

export async function waitForIndex(store: Store, options: { readonly timeoutMs?: number } = {}): Promise<IndexWait> {
  const started = Date.now();
  const deadline = started + (options.timeoutMs ?? INDEX_WAIT_MS);
  const heads = new Map<string, number>();
  for (const row of await store.query(CHAIN_HEADS_SQL)) heads.set(String(row['chain']), Number(row['head_seq']));
  for (;;) {
    if (await caughtUp(store, heads)) return { caughtUp: true, waitedMs: Date.now() - started };
    const left = deadline - Date.now();
    if (left <= 0) return { caughtUp: false, waitedMs: Date.now() - started };
    const indexer = runningIndexer(store);
    if (indexer === undefined) {
      await indexPass(store, { deadline });
    } else {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([indexer.nextPass(), new Promise<void>((resolve) => (timer = setTimeout(resolve, left)))]);
      clearTimeout(timer);
    }
  }
}

async function caughtUp(store: Store, heads: ReadonlyMap<string, number>): Promise<boolean> {
  if (heads.size === 0) return true;
  const indexed = new Map<string, { seq: number; verified: boolean }>();
  for (const row of await store.query(sql`SELECT chain, indexed_seq, verified FROM audit.index_state`)) {
    indexed.set(String(row['chain']), { seq: Number(row['indexed_seq']), verified: row['verified'] === true });
  }
  for (const [chain, head] of heads) {
    const state = indexed.get(chain);
    if (state === undefined || (state.verified && state.seq < head)) return false;
  }
  return true;
}
