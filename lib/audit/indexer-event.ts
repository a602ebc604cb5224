import type { Row } from '../store/index.js';
import { checkEventRow } from './event-verify.js';
import type { ChainProblem } from './verify.js';

/*
 * One row of audit.events as the indexer (and the stream export) reads it, checked before
 * anything of it is trusted: by the same check audit:verify runs (event-verify.ts: well formed,
 * items root and event hash recomputed from the pinned format), plus the link to the previous
 * event's hash. Rows enter as unknown; a value no writer could have stored is reported MALFORMED
 * at that event instead of throwing past it.
 */
/** What the callers keep of a verified event. */
export interface CheckedEvent {
  readonly seq: number;
  readonly hash: string;
  readonly itemCount: number;
}

export type EventCheck =
  | { readonly ok: true; readonly event: CheckedEvent }
  | { readonly ok: false; readonly problem: ChainProblem; readonly brokenAt: string; readonly reason: string };

/**
 * Verifies one stored event given the hash its predecessor ended with. `ok` only when the row
 * is well formed, links to `prevHash`, and its hash recomputes from its own header and items.
 */
export function checkEvent(row: Row, prevHash: string): EventCheck {
  const chain = typeof row['chain'] === 'string' ? row['chain'] : '?';
  // Breaks are named by the event (`<chain>:<seq>`, as verifyChains names them): the hashed
  // unit. Which item of an event changed cannot be known: the hash covers only the root of
  // their tree, and the original leaves are gone.
  const where = `${chain}:${String(row['seq'])}`;
  const check = checkEventRow(chain, row);
  if (!check.ok) return { ok: false, problem: 'MALFORMED', brokenAt: where, reason: `event ${where}: ${check.reason}` };
  if (check.prevHash !== prevHash) {
    return {
      ok: false,
      problem: 'REORDERED',
      brokenAt: where,
      reason: `event ${where} links to ${check.prevHash.slice(0, 12)}…, but the event before it ends with ${prevHash.slice(0, 12)}…`,
    };
  }
  if (check.mismatch !== null) return { ok: false, problem: 'ALTERED', brokenAt: where, reason: `event ${where}: ${check.mismatch}` };
  return { ok: true, event: { seq: check.seq, hash: check.hash, itemCount: check.itemCount } };
}
