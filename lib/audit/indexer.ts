import type { JSONWebKeySet } from 'jose';
import { sql, type Queryable, type Row, type Sql, type Store } from '../store/index.js';
import { GENESIS_HASH } from './chain.js';
import { verifyCheckpoint } from './checkpoints.js';
import { EVENT_COLUMNS } from './event-row.js';
import { checkEvent } from './indexer-event.js';
import { readAuditPublicJwks } from './signing-key.js';
import type { ChainProblem } from './verify.js';

/**
 * The background indexer (SPEC section 6, issue 12): reads audit.events in chain order past
 * what it has done, VERIFIES each event as it goes (link, items root, hash: event-format.ts),
 * and copies its items into audit.access_items, the table the auditors' queries read. It is
 * also the incremental verifier: audit.index_state records, per chain, how far the chain is
 * verified, so auditChainStatus never walks the whole log. At a break it indexes nothing of the
 * broken event or after it, records where and why, and stops on that chain for good (a broken
 * chain is an incident for a person, not something to skip past).
 *
 * Safe with several audit replicas: each batch runs in one transaction holding the chain's
 * index_state row FOR UPDATE and re-reads the state under it, so two indexers never index the
 * same event twice or leave a hole.
 */
export interface IndexerOptions {
  /** Events read per batch (one transaction). */
  readonly batchEvents?: number;
  /** A batch stops taking events once it holds this many items. */
  readonly batchItems?: number;
  /** Keys RETENTION checkpoints must be signed with, to accept a purged chain's new start. */
  readonly jwks?: JSONWebKeySet;
  /** Epoch ms after which a pass starts no new batch (a caller waiting on it is bounded). */
  readonly deadline?: number;
}

export interface PassResult {
  readonly events: number;
  readonly items: number;
  /** Chains the pass found broken (newly or before). */
  readonly broken: readonly string[];
}

const DEFAULT_BATCH_EVENTS = 500;
const DEFAULT_BATCH_ITEMS = 20_000;

/**
 * Every chain in audit.events with its head, by a loose index scan of the primary key (one
 * probe per chain, not a scan of the log), joined to the indexer's state.
 */
export const CHAIN_HEADS_SQL = sql`
  WITH RECURSIVE chains AS (
    (SELECT e.chain FROM audit.events e ORDER BY e.chain LIMIT 1)
    UNION ALL
    SELECT (SELECT e.chain FROM audit.events e WHERE e.chain > chains.chain ORDER BY e.chain LIMIT 1)
    FROM chains WHERE chains.chain IS NOT NULL
  )
  SELECT chains.chain,
    (SELECT e.seq FROM audit.events e WHERE e.chain = chains.chain ORDER BY e.seq DESC LIMIT 1) AS head_seq
  FROM chains WHERE chains.chain IS NOT NULL`;

/** One pass: every chain indexed up to the head it had when the pass looked, or to its break. */
export async function indexPass(store: Store, options: IndexerOptions = {}): Promise<PassResult> {
  const heads = await store.query(sql`
    SELECT h.chain, h.head_seq, s.chain IS NOT NULL AS has_state, coalesce(s.indexed_seq, 0) AS indexed_seq, coalesce(s.verified, true) AS verified,
      s.first_seq AS indexed_first, (SELECT e.seq FROM audit.events e WHERE e.chain = h.chain ORDER BY e.seq LIMIT 1) AS first_present
    FROM (${CHAIN_HEADS_SQL}) h LEFT JOIN audit.index_state s ON s.chain = h.chain`);
  let events = 0;
  let items = 0;
  const broken: string[] = [];
  const indexChain = async (head: Row): Promise<void> => {
    const chain = String(head['chain']);
    if (head['verified'] !== true) {
      broken.push(chain);
      return;
    }
    if (await dropPurged(store, chain, head, options)) {
      broken.push(chain);
      return;
    }
    const target = Number(head['head_seq']);
    let indexed = Number(head['indexed_seq']);
    // The chain's state row exists from its first batch on; the heads query saw whether it does.
    let hasState = head['has_state'] === true;
    while (indexed < target && (options.deadline === undefined || Date.now() < options.deadline)) {
      const batch = await indexBatch(store, chain, hasState, options);
      hasState = true;
      events += batch.events;
      items += batch.items;
      if (batch.broken) {
        broken.push(chain);
        return;
      }
      if (batch.events === 0) return;
      indexed = batch.indexedSeq;
    }
  };
  // Chains are independent: a few at once, so one chain's verification (Node) overlaps
  // another's inserts (PostgreSQL). On PGlite (one connection) they simply take turns.
  const queue = [...heads];
  const workers = Array.from({ length: Math.min(CHAIN_CONCURRENCY, queue.length) }, async () => {
    for (let head = queue.shift(); head !== undefined; head = queue.shift()) await indexChain(head);
  });
  await Promise.all(workers);
  broken.sort();
  return { events, items, broken };
}

const CHAIN_CONCURRENCY = 4;

/**
 * Retention purges events (lib/audit/retention.ts) after they may have been indexed: their
 * items leave the index too, so no auditor query finds an access the log no longer holds.
 * Only below the chain's first remaining event, which a signed RETENTION checkpoint explains.
 * true when the start went without one: the chain is then recorded broken.
 */
async function dropPurged(store: Store, chain: string, head: Row, options: IndexerOptions): Promise<boolean> {
  const indexedFirst = head['indexed_first'];
  const firstPresent = Number(head['first_present']);
  if (indexedFirst === null || indexedFirst === undefined || !(Number(indexedFirst) < firstPresent)) return false;
  return store.transaction(async (tx) => {
    if ((await retentionCut(tx, chain, firstPresent, options)) === null) {
      // Removed with no signed cut: tampering. The items stay (evidence); the chain is broken.
      await tx.query(sql`
        UPDATE audit.index_state SET verified = false, problem = 'UNEXPLAINED_START', broken_at = ${`${chain}:${Number(indexedFirst)}`},
          reason = ${`events ${chain}:${Number(indexedFirst)} to ${chain}:${firstPresent - 1} were removed, and no signed RETENTION checkpoint explains it`},
          updated_at = now()
        WHERE chain = ${chain} AND verified`);
      return true;
    }
    await tx.query(sql`DELETE FROM audit.access_items WHERE chain = ${chain} AND seq < ${firstPresent}`);
    await tx.query(sql`UPDATE audit.index_state SET first_seq = ${firstPresent}, updated_at = now() WHERE chain = ${chain} AND first_seq < ${firstPresent}`);
    return false;
  });
}

interface BatchResult {
  readonly events: number;
  readonly items: number;
  readonly indexedSeq: number;
  readonly broken: boolean;
}

interface Break {
  readonly problem: ChainProblem;
  readonly brokenAt: string;
  readonly reason: string;
}

/**
 * One transaction: lock the chain's state, verify the next events, index the good ones. Five
 * round trips in the steady state (BEGIN, the lock, the events, the copy with the new state,
 * COMMIT; seven before), since the indexer runs beside the request path on the same database:
 * at list N = 10 its statements were as many per request as the audit appends'.
 */
async function indexBatch(store: Store, chain: string, hasState: boolean, options: IndexerOptions): Promise<BatchResult> {
  const batchEvents = options.batchEvents ?? DEFAULT_BATCH_EVENTS;
  const batchItems = options.batchItems ?? DEFAULT_BATCH_ITEMS;
  return store.transaction(async (tx) => {
    // A row another indexer may have created meanwhile is fine: ON CONFLICT leaves it be.
    if (!hasState) await tx.query(sql`INSERT INTO audit.index_state (chain, indexed_hash) VALUES (${chain}, ${GENESIS_HASH}) ON CONFLICT (chain) DO NOTHING`);
    const [state] = await tx.query(sql`
      SELECT indexed_seq, indexed_hash, verified FROM audit.index_state WHERE chain = ${chain} FOR UPDATE`);
    if (state === undefined) throw new Error(`audit.index_state: no row for chain ${chain}`);
    const startSeq = Number(state['indexed_seq']);
    if (state['verified'] !== true) return { events: 0, items: 0, indexedSeq: startSeq, broken: true };
    const rows = await tx.query(sql`
      SELECT ${EVENT_COLUMNS} FROM audit.events e WHERE e.chain = ${chain} AND e.seq > ${startSeq} ORDER BY e.seq LIMIT ${batchEvents}`);
    let prevHash = String(state['indexed_hash']);
    let expected = startSeq + 1;
    let firstSeq: number | null = null;
    let items = 0;
    let failure: Break | null = null;
    for (const row of rows) {
      const seq = Number(row['seq']);
      if (seq !== expected) {
        const cut = await retentionCut(tx, chain, seq, options);
        if (cut === null) {
          failure = { problem: startSeq === 0 && expected === 1 ? 'UNEXPLAINED_START' : 'MISSING', brokenAt: `${chain}:${expected}`, reason: `event ${chain}:${expected} is missing, and no signed RETENTION checkpoint explains the gap before ${chain}:${seq}` };
          break;
        }
        prevHash = cut;
      }
      const check = checkEvent(row, prevHash);
      if (!check.ok) {
        failure = check;
        break;
      }
      firstSeq ??= seq;
      prevHash = check.event.hash;
      expected = seq + 1;
      items += check.event.itemCount;
      if (items >= batchItems) break;
    }
    const lastSeq = expected - 1;
    // Verified in JS above; the items are copied by PostgreSQL straight from the rows just read
    // (same transaction), so they never travel back over the wire. The copy runs as a
    // data-modifying WITH of the state's UPDATE: one statement, one round trip.
    const copy = lastSeq > startSeq ? sql`WITH copied AS (${copyItemsSql(chain, startSeq, lastSeq)}) ` : sql``;
    const events = firstSeq === null ? 0 : lastSeq - firstSeq + 1;
    await tx.query(sql`
      ${copy}UPDATE audit.index_state SET
        indexed_seq = ${lastSeq}, indexed_hash = ${prevHash},
        first_seq = coalesce(first_seq, ${firstSeq}::bigint),
        events_checked = events_checked + ${events}, items_checked = items_checked + ${items},
        verified = ${failure === null}, problem = ${failure?.problem ?? null}, broken_at = ${failure?.brokenAt ?? null},
        reason = ${failure?.reason ?? null}, updated_at = now()
      WHERE chain = ${chain}`);
    return { events, items, indexedSeq: lastSeq, broken: failure !== null };
  });
}

/**
 * The one statement that copies events' items into audit.access_items: the events of `chain`
 * with after < seq <= through, read by PostgreSQL straight from audit.events. Only for events
 * already verified (the indexer's batch above; bench/audit-scale.ts's bulk fill, which the real
 * indexer then checks by verifying on from the state it leaves).
 */
export const copyItemsSql = (chain: string, after: number, through: number): Sql => sql`
  INSERT INTO audit.access_items (chain, seq, item, at, request_id, subject_sub, subject_org, agency, purpose,
    action, record_type, record_id, owner_org, person_id, decision)
  SELECT e.chain, e.seq, (i.n - 1)::integer, e.at, e.request_id, e.subject_sub, e.subject_org, e.agency, e.purpose,
    e.action, e.record_type, i.v ->> 0, i.v ->> 1, i.v ->> 2, i.v ->> 5
  FROM audit.events e CROSS JOIN LATERAL json_array_elements(e.items::json) WITH ORDINALITY AS i(v, n)
  WHERE e.chain = ${chain} AND e.seq > ${after} AND e.seq <= ${through}
  ON CONFLICT (chain, seq, item) DO NOTHING`;

/**
 * A gap before `seq` is legitimate only where retention purged the events before it: a
 * RETENTION checkpoint at seq - 1, validly signed. Its head hash is then the predecessor the
 * next event must link to. Returns that hash, or null when nothing explains the gap.
 */
async function retentionCut(tx: Queryable, chain: string, seq: number, options: IndexerOptions): Promise<string | null> {
  const rows: Row[] = await tx.query(sql`
    SELECT c.signature FROM audit.checkpoints c WHERE c.chain = ${chain} AND c.seq = ${seq - 1} AND c.kind = 'RETENTION'
    ORDER BY c.id DESC`);
  if (rows.length === 0) return null;
  const jwks = options.jwks ?? (await readAuditPublicJwks());
  for (const row of rows) {
    try {
      const claim = await verifyCheckpoint(String(row['signature']), jwks);
      if (claim.chain === chain && claim.seq === seq - 1 && claim.kind === 'RETENTION') return claim.headHash;
    } catch {
      // A checkpoint whose signature fails explains nothing; the gap then stays a break.
    }
  }
  return null;
}
