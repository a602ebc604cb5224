import type { JSONWebKeySet } from 'jose';
import { sql, type Row, type Store } from '../store/index.js';
import { latestCheckpoints, verifyCheckpoint, type CheckpointClaim } from './checkpoints.js';
import { itemId } from './event-format.js';
import { CHAIN_HEADS_SQL } from './indexer.js';
import { readAuditPublicJwks } from './signing-key.js';
import type { ChainProblem } from './verify.js';

/**
 * auditChainStatus without walking the log (issue 12, "verification at scale"): the indexer has
 * verified each chain up to its indexed seq (audit.index_state), and this adds a fresh look at
 * what could have changed since, all by primary key: the head (the chain cut below what was
 * verified: TRUNCATED), the event at the verified position (rewritten since: ALTERED), and the
 * newest signed checkpoint (bad signature, head behind it, or a hash that differs from what it
 * signed). Events past the verified position are the indexer's next work; their age is the lag.
 */
export interface IndexedChainReport {
  readonly chain: string;
  readonly valid: boolean;
  /** Events the indexer verified on this chain (every one since it started, purged ones included). */
  readonly checkedEntries: number;
  readonly checkedItems: number;
  readonly headSeq: number | null;
  readonly indexedSeq: number;
  readonly firstBrokenEntry: string | null;
  readonly problem: ChainProblem | null;
  readonly reason: string | null;
  /** When the indexer last verified (or found broken) this chain; null before its first pass. */
  readonly verifiedAt: Date | null;
  readonly indexLagMs: number;
}

export interface IndexedStatus {
  readonly valid: boolean;
  readonly checkedEntries: number;
  readonly checkedItems: number;
  readonly firstBrokenEntry: string | null;
  readonly chain: string | null;
  readonly problem: ChainProblem | null;
  readonly reason: string | null;
  /** When this result was computed (a cached result keeps its own time). */
  readonly checkedAt: Date;
  /** Age of the oldest committed event the index does not hold yet; 0 when caught up. */
  readonly indexLagMs: number;
  readonly chains: readonly IndexedChainReport[];
}

export interface StatusOptions {
  readonly jwks?: JSONWebKeySet;
  /** A result younger than this is answered from the cache; default 1,000 ms. */
  readonly maxAgeMs?: number;
  readonly now?: () => Date;
}

const DEFAULT_MAX_AGE_MS = 1_000;
const cache = new WeakMap<Store, { readonly at: number; readonly result: Promise<IndexedStatus> }>();
/** Checkpoint signatures already checked: ES256 verification is the dearest step, done once. */
const claims = new Map<string, CheckpointClaim | string>();
const MAX_CLAIMS = 10_000;

export function indexedChainStatus(store: Store, options: StatusOptions = {}): Promise<IndexedStatus> {
  const now = options.now ?? (() => new Date());
  const at = now().getTime();
  const cached = cache.get(store);
  // A clock that went back (or a caller's own `now`) never makes an old result look fresh.
  if (cached !== undefined && at >= cached.at && at - cached.at < (options.maxAgeMs ?? DEFAULT_MAX_AGE_MS)) return cached.result;
  const result = computeStatus(store, options.jwks, now);
  cache.set(store, { at, result });
  // A failed computation is not kept: the next call tries again.
  result.catch(() => {
    if (cache.get(store)?.result === result) cache.delete(store);
  });
  return result;
}

const STATE_SQL = sql`
  SELECT coalesce(h.chain, s.chain) AS chain, h.head_seq, s.indexed_seq, s.events_checked, s.items_checked, s.verified,
    s.problem, s.broken_at, s.reason, s.updated_at,
    (SELECT e.seq FROM audit.events e WHERE e.chain = coalesce(h.chain, s.chain) ORDER BY e.seq LIMIT 1) AS first_present,
    (SELECT e.at FROM audit.events e WHERE e.chain = coalesce(h.chain, s.chain) AND e.seq > coalesce(s.indexed_seq, 0)
      ORDER BY e.seq LIMIT 1) AS oldest_unindexed_at,
    (SELECT e.hash FROM audit.events e WHERE e.chain = s.chain AND e.seq = s.indexed_seq) AS hash_at_indexed,
    s.indexed_hash
  FROM (${CHAIN_HEADS_SQL}) h FULL JOIN audit.index_state s ON s.chain = h.chain
  ORDER BY 1`;

async function computeStatus(store: Store, jwks: JSONWebKeySet | undefined, now: () => Date): Promise<IndexedStatus> {
  const rows = await store.query(STATE_SQL);
  const checkpoints = new Map((await latestCheckpoints(store)).map((c) => [c.chain, c]));
  const checkedAt = now();
  const chains: IndexedChainReport[] = [];
  for (const row of rows) {
    const chain = String(row['chain']);
    const base = baseReport(row, checkedAt);
    const fresh = base.valid ? await freshCheck(store, row, base, checkpoints.get(chain)?.signature, jwks) : null;
    chains.push(fresh === null ? base : { ...base, valid: false, ...fresh });
  }
  // A chain with a signed checkpoint but no events and never indexed: every event was removed.
  for (const [chain, checkpoint] of checkpoints) {
    if (chains.some((c) => c.chain === chain)) continue;
    chains.push({
      chain, valid: false, checkedEntries: 0, checkedItems: 0, headSeq: null, indexedSeq: 0, verifiedAt: null, indexLagMs: 0,
      ...finding('TRUNCATED', itemId(chain, 1, 0), `chain ${chain} has no events, but a checkpoint at ${checkpoint.seq}`),
    });
  }
  chains.sort((a, b) => (a.chain < b.chain ? -1 : a.chain > b.chain ? 1 : 0));
  const broken = chains.find((c) => !c.valid);
  return {
    valid: broken === undefined,
    checkedEntries: chains.reduce((sum, c) => sum + c.checkedEntries, 0),
    checkedItems: chains.reduce((sum, c) => sum + c.checkedItems, 0),
    firstBrokenEntry: broken?.firstBrokenEntry ?? null,
    chain: broken?.chain ?? null,
    problem: broken?.problem ?? null,
    reason: broken?.reason ?? null,
    checkedAt,
    indexLagMs: chains.reduce((max, c) => Math.max(max, c.indexLagMs), 0),
    chains,
  };
}

/** The largest lag over every chain, without the rest of the status (the metric's reading). */
export async function indexLagMs(store: Store, now: Date = new Date()): Promise<number> {
  let lag = 0;
  for (const row of await store.query(STATE_SQL)) lag = Math.max(lag, lagOf(row, now));
  return lag;
}

function lagOf(row: Row, now: Date): number {
  const oldest = row['oldest_unindexed_at'];
  if (oldest === null || oldest === undefined) return 0;
  const at = oldest instanceof Date ? oldest : new Date(String(oldest));
  return Math.max(0, now.getTime() - at.getTime());
}

function baseReport(row: Row, checkedAt: Date): IndexedChainReport {
  const updated = row['updated_at'];
  const problem = row['problem'];
  return {
    chain: String(row['chain']),
    valid: row['verified'] !== false,
    checkedEntries: Number(row['events_checked'] ?? 0),
    checkedItems: Number(row['items_checked'] ?? 0),
    headSeq: row['head_seq'] === null || row['head_seq'] === undefined ? null : Number(row['head_seq']),
    indexedSeq: Number(row['indexed_seq'] ?? 0),
    firstBrokenEntry: typeof row['broken_at'] === 'string' ? row['broken_at'] : null,
    problem: typeof problem === 'string' ? (problem as ChainProblem) : null,
    reason: typeof row['reason'] === 'string' ? row['reason'] : null,
    verifiedAt: updated instanceof Date ? updated : typeof updated === 'string' ? new Date(updated) : null,
    indexLagMs: lagOf(row, checkedAt),
  };
}

type Finding = Pick<IndexedChainReport, 'firstBrokenEntry' | 'problem' | 'reason'>;

/** What may have changed since the indexer verified: by primary key only, never a walk. */
async function freshCheck(store: Store, row: Row, report: IndexedChainReport, signature: string | undefined, jwks: JSONWebKeySet | undefined): Promise<Finding | null> {
  const { chain, indexedSeq, headSeq } = report;
  if (indexedSeq > 0 && (headSeq === null || headSeq < indexedSeq)) {
    return finding('TRUNCATED', itemId(chain, (headSeq ?? 0) + 1, 0), `chain ${chain} ends at ${headSeq ?? 'nothing'}, but the index verified it up to ${indexedSeq}`);
  }
  const hashNow = row['hash_at_indexed'];
  if (indexedSeq > 0 && hashNow !== row['indexed_hash']) {
    const firstPresent = Number(row['first_present']);
    // Gone below the first event kept: retention purged it (the indexer checks the signed cut
    // when it goes on). Gone or different anywhere else: changed after it was verified.
    const purged = (hashNow === null || hashNow === undefined) && firstPresent > indexedSeq;
    if (!purged) {
      return finding(hashNow === null || hashNow === undefined ? 'MISSING' : 'ALTERED', itemId(chain, indexedSeq, 0), `event ${chain}:${indexedSeq} changed after the indexer verified it`);
    }
  }
  if (signature === undefined) return null;
  const claim = await checkpointClaim(signature, jwks);
  if (typeof claim === 'string') return finding('CHECKPOINT_INVALID', null, `newest checkpoint of chain ${chain}: ${claim}`);
  if (headSeq === null || headSeq < claim.seq) {
    return finding('TRUNCATED', itemId(chain, (headSeq ?? 0) + 1, 0), `chain ${chain} ends at ${headSeq ?? 'nothing'}, before its signed checkpoint at ${claim.seq}`);
  }
  if (claim.seq <= indexedSeq) {
    const [at] = await store.query(sql`SELECT e.hash FROM audit.events e WHERE e.chain = ${chain} AND e.seq = ${claim.seq}`);
    // Absent: purged behind a RETENTION checkpoint, which the indexer verified when it crossed it.
    if (at !== undefined && at['hash'] !== claim.headHash) {
      return finding('CHECKPOINT_MISMATCH', itemId(chain, claim.seq, 0), `event ${chain}:${claim.seq} differs from what its signed checkpoint says`);
    }
  }
  return null;
}

const finding = (problem: ChainProblem, firstBrokenEntry: string | null, reason: string): Finding => ({ problem, firstBrokenEntry, reason });

async function checkpointClaim(signature: string, given: JSONWebKeySet | undefined): Promise<CheckpointClaim | string> {
  const jwks = given ?? (await readAuditPublicJwks());
  // Keyed by the trusted keys too: the same signature under other keys is another verdict.
  const key = `${JSON.stringify(jwks)}\n${signature}`;
  const known = claims.get(key);
  if (known !== undefined) return known;
  let result: CheckpointClaim | string;
  try {
    result = await verifyCheckpoint(signature, jwks);
  } catch (error) {
    result = error instanceof Error ? error.message : String(error);
  }
  if (claims.size >= MAX_CLAIMS) claims.clear();
  claims.set(key, result);
  return result;
}
