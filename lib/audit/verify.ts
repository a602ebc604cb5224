import type { JSONWebKeySet } from 'jose';
import { sql, type Row, type Store } from '../store/index.js';
import { GENESIS_HASH } from './chain.js';
import { parseCheckpointRow, verifyCheckpoint, type Checkpoint, type CheckpointClaim } from './checkpoints.js';
import { entryId } from './entry.js';
import { readAuditPublicJwks } from './signing-key.js';
import { inThreadRows, type RowSource, type VerifyPool } from './verify-pool.js';

/** What broke, for a caller to switch on; `reason` says it in words. */
export type ChainProblem =
  /** The event's content (header or items) no longer matches its hash. */
  | 'ALTERED'
  /** A position in the chain has no entry (a row was deleted). */
  | 'MISSING'
  /** The entry does not follow its predecessor (prevHash mismatch): removed, reordered or rewritten. */
  | 'REORDERED'
  /** The chain ends before a signed checkpoint's position: its newest entries were cut off. */
  | 'TRUNCATED'
  /** The entry at a checkpoint's position differs from what the checkpoint signed. */
  | 'CHECKPOINT_MISMATCH'
  /** A checkpoint whose signature does not verify with the trusted audit keys. */
  | 'CHECKPOINT_INVALID'
  /** The chain starts after seq 1 without a signed RETENTION checkpoint at the cut. */
  | 'UNEXPLAINED_START'
  /** A row no writer could have stored (wrong types or values). */
  | 'MALFORMED';

export interface ChainReport {
  readonly chain: string;
  readonly valid: boolean;
  /** Records (items) of the events whose hash and link were checked (up to the break). */
  readonly checkedEntries: number;
  /** Events whose hash and link were checked (up to the break). */
  readonly checkedEvents: number;
  readonly firstSeq: number | null;
  readonly headSeq: number | null;
  readonly headHash: string | null;
  /** Signed checkpoints of this chain the walk compared against. */
  readonly checkpointsChecked: number;
  /** `<chain>:<seq>` where the chain breaks: the entry that fails, or the position that is missing. */
  readonly firstBrokenEntry: string | null;
  readonly problem: ChainProblem | null;
  readonly reason: string | null;
}

/** The whole log's status (auditChainStatus): the first break found, and every chain's report. */
export interface ChainStatus {
  readonly valid: boolean;
  /** Records (items) checked. */
  readonly checkedEntries: number;
  readonly checkedEvents: number;
  readonly firstBrokenEntry: string | null;
  readonly chain: string | null;
  readonly problem: ChainProblem | null;
  readonly reason: string | null;
  readonly chains: readonly ChainReport[];
}

export interface VerifyOptions {
  /**
   * Checkpoints the caller holds (e.g. one an auditor fetched earlier and kept): objects as
   * `latestCheckpoint` returns them, or their compact JWS. Checked like those in the database.
   */
  readonly checkpoints?: readonly (Checkpoint | string)[];
  /** Keys checkpoints must be signed with; default: the audit service's public key. */
  readonly jwks?: JSONWebKeySet;
  /**
   * Events per query while walking (default 1,000): memory stays flat for any log size. Two pages
   * are held at once (the one checked, the next being read), and an event can hold hundreds of
   * items, so pages are kept well below what one query could return.
   */
  readonly pageSize?: number;
  /**
   * Worker threads that read and check the rows in parallel (verify-pool.ts; PostgreSQL only).
   * The result is the same with or without them; without, the walk reads and hashes in this thread.
   */
  readonly pool?: VerifyPool;
}

/**
 * Walks every chain from its first entry to its head, recomputing each hash, and checks the
 * chains against signed checkpoints: the newest of each chain in the database, the RETENTION
 * checkpoint at a purged chain's start, and any the caller holds. Detects altered, removed and
 * reordered entries, and the newest entries cut off (head behind a checkpoint).
 */
export async function verifyChains(store: Store, options: VerifyOptions = {}): Promise<ChainStatus> {
  const jwks = options.jwks ?? (await readAuditPublicJwks());
  const pageSize = options.pageSize ?? 1_000;
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new RangeError(`verifyChains: pageSize must be a positive integer, got ${pageSize}`);
  const chains = new Set<string>();
  for (const row of await store.query(sql`SELECT chain FROM audit.chain_heads()`)) {
    if (typeof row['chain'] === 'string') chains.add(row['chain']);
  }
  const claims = new Map<string, CheckpointClaim[]>();
  const invalid: { chain: string | null; reason: string }[] = [];

  const signatures: { signature: string; chain: string | null; where: string }[] = [];
  for (const row of await checkpointsToCheck(store)) {
    const { signature, chain, seq } = parseCheckpointRow(row);
    signatures.push({ signature, chain, where: `checkpoint of ${entryId(chain, seq)} in audit.checkpoints` });
  }
  for (const [i, given] of (options.checkpoints ?? []).entries()) {
    signatures.push({ signature: typeof given === 'string' ? given : given.signature, chain: null, where: `given checkpoint ${i + 1}` });
  }
  for (const { signature, chain, where } of signatures) {
    try {
      const claim = await verifyCheckpoint(signature, jwks);
      chains.add(claim.chain);
      claims.set(claim.chain, [...(claims.get(claim.chain) ?? []), claim]);
    } catch (error) {
      invalid.push({ chain, reason: `${where}: ${error instanceof Error ? error.message : String(error)}` });
    }
  }

  const source = options.pool === undefined ? inThreadRows(store) : options.pool.rows(store);
  const reports: ChainReport[] = [];
  for (const chain of [...chains].sort()) {
    const held = claims.get(chain) ?? [];
    const bad = invalid.find((item) => item.chain === chain);
    reports.push(
      bad === undefined
        ? await walkChain(source, chain, held, pageSize)
        : { ...emptyReport(chain), valid: false, problem: 'CHECKPOINT_INVALID', reason: bad.reason },
    );
  }
  const unattributed = invalid.find((item) => item.chain === null);
  const broken = reports.find((report) => !report.valid);
  const checkedEntries = reports.reduce((sum, report) => sum + report.checkedEntries, 0);
  const checkedEvents = reports.reduce((sum, report) => sum + report.checkedEvents, 0);
  if (broken === undefined && unattributed !== undefined) {
    return { valid: false, checkedEntries, checkedEvents, firstBrokenEntry: null, chain: null, problem: 'CHECKPOINT_INVALID', reason: unattributed.reason, chains: reports };
  }
  return {
    valid: broken === undefined,
    checkedEntries,
    checkedEvents,
    firstBrokenEntry: broken?.firstBrokenEntry ?? null,
    chain: broken?.chain ?? null,
    problem: broken?.problem ?? null,
    reason: broken?.reason ?? null,
    chains: reports,
  };
}

/**
 * The newest checkpoint of each chain (it alone detects a cut-off tail: any rewrite before it
 * changes the hash at its position) and the RETENTION checkpoint at each chain's first entry.
 */
async function checkpointsToCheck(store: Store): Promise<readonly Row[]> {
  return store.query(sql`
    WITH RECURSIVE chains AS (
      (SELECT c.chain FROM audit.checkpoints c ORDER BY c.chain LIMIT 1)
      UNION ALL
      SELECT (SELECT c.chain FROM audit.checkpoints c WHERE c.chain > chains.chain ORDER BY c.chain LIMIT 1)
      FROM chains WHERE chains.chain IS NOT NULL
    )
    SELECT newest.* FROM chains CROSS JOIN LATERAL (
      SELECT * FROM audit.checkpoints c WHERE c.chain = chains.chain ORDER BY c.seq DESC, c.id DESC LIMIT 1
    ) newest
    UNION
    SELECT c.* FROM audit.chain_heads() h
    JOIN audit.checkpoints c ON c.chain = h.chain AND c.seq = h.first_seq - 1 AND c.kind = 'RETENTION'`);
}

function emptyReport(chain: string): ChainReport {
  return {
    chain,
    valid: true,
    checkedEntries: 0,
    checkedEvents: 0,
    firstSeq: null,
    headSeq: null,
    headHash: null,
    checkpointsChecked: 0,
    firstBrokenEntry: null,
    problem: null,
    reason: null,
  };
}

async function walkChain(source: RowSource, chain: string, claims: readonly CheckpointClaim[], pageSize: number): Promise<ChainReport> {
  const bySeq = new Map<number, CheckpointClaim[]>();
  for (const claim of claims) bySeq.set(claim.seq, [...(bySeq.get(claim.seq) ?? []), claim]);
  let checked = 0;
  let checkedEvents = 0;
  let compared = 0;
  let firstSeq: number | null = null;
  let last: { seq: number; hash: string } | null = null;
  let lastVersion: 1 | 2 = 1;
  const report = (seq: number, problem: ChainProblem, reason: string): ChainReport => ({
    chain,
    valid: false,
    checkedEntries: checked,
    checkedEvents,
    firstSeq,
    headSeq: last?.seq ?? null,
    headHash: last?.hash ?? null,
    checkpointsChecked: compared,
    firstBrokenEntry: entryId(chain, seq),
    problem,
    reason,
  });

  // Each row arrives checked against its own hash (checkRow); links, order and checkpoints are
  // decided here, in chain order, so where the rows were read and hashed changes nothing.
  for await (const rows of source(chain, pageSize)) {
    for (const event of rows) {
      if (!event.ok) return report(event.rowSeq ?? (last?.seq ?? 0) + 1, 'MALFORMED', event.reason);
      const { seq } = event;
      const id = entryId(chain, seq);
      if (last === null) {
        firstSeq = seq;
        if (seq === 1) {
          if (event.prevHash !== GENESIS_HASH) return report(seq, 'REORDERED', `${id} is the first event but does not link to the genesis hash`);
        } else {
          const cut = (bySeq.get(seq - 1) ?? []).find((claim) => claim.kind === 'RETENTION' && claim.headHash === event.prevHash);
          if (cut === undefined) {
            const purgedThrough = Math.max(0, ...claims.filter((claim) => claim.kind === 'RETENTION' && claim.seq < seq).map((claim) => claim.seq));
            return report(
              purgedThrough + 1,
              'UNEXPLAINED_START',
              `the chain starts at ${id}; events from ${entryId(chain, purgedThrough + 1)} on were removed without a signed retention checkpoint`,
            );
          }
          compared += 1;
        }
      } else {
        if (seq !== last.seq + 1) return report(last.seq + 1, 'MISSING', `${entryId(chain, last.seq + 1)} is missing (the chain jumps from seq ${last.seq} to ${seq})`);
        if (event.prevHash !== last.hash) {
          return report(seq, 'REORDERED', `${id} does not link to ${entryId(chain, last.seq)}: events were removed, reordered or rewritten`);
        }
      }
      // A version-1 row after a version-2 one cannot be: legacy entries only precede events.
      if (event.version === 1 && last !== null && lastVersion === 2) {
        return report(seq, 'ALTERED', `${id} is a legacy entry after an event: legacy entries only ever precede events`);
      }
      if (event.mismatch !== null) return report(seq, 'ALTERED', `${id} was altered: ${event.mismatch}`);
      for (const claim of bySeq.get(seq) ?? []) {
        compared += 1;
        if (claim.headHash !== event.hash) {
          return report(
            seq,
            'CHECKPOINT_MISMATCH',
            `${id} differs from the checkpoint signed at ${claim.at.toISOString()}: the chain was rewritten at or before it`,
          );
        }
      }
      checked += event.itemCount;
      checkedEvents += 1;
      last = { seq, hash: event.hash };
      lastVersion = event.version;
    }
  }

  const furthest = claims.reduce<CheckpointClaim | null>((best, claim) => (best === null || claim.seq > best.seq ? claim : best), null);
  const headSeq = last?.seq ?? 0;
  if (furthest !== null && furthest.seq > headSeq) {
    const gone = last === null ? Math.max(0, ...claims.filter((c) => c.kind === 'RETENTION').map((c) => c.seq)) + 1 : headSeq + 1;
    compared += 1;
    return report(
      gone,
      'TRUNCATED',
      `the chain ends at seq ${headSeq} but a checkpoint signed at ${furthest.at.toISOString()} records ${furthest.seq} events: the newest events were removed`,
    );
  }
  return { ...emptyReport(chain), checkedEntries: checked, checkedEvents, firstSeq, headSeq: last?.seq ?? null, headHash: last?.hash ?? null, checkpointsChecked: compared };
}
