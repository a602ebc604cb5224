import type { Row } from '../store/index.js';
import { eventMismatch, parseEventRow } from './event-row.js';

/** One stored row of `audit.events` checked against its own hash (links are the caller's). */
export type RowCheck =
  | {
      readonly ok: true;
      readonly seq: number;
      readonly version: 1 | 2;
      readonly prevHash: string;
      readonly hash: string;
      readonly itemCount: number;
      /** Why the row does not match its own hash, or null when it does. */
      readonly mismatch: string | null;
    }
  | { readonly ok: false; readonly reason: string };

/** Parses the row (MALFORMED when no writer could have stored it) and recomputes its hash. */
export function checkEventRow(chain: string, row: Row): RowCheck {
  let event;
  try {
    event = parseEventRow(row);
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
  return { ok: true, seq: event.seq, version: event.version, prevHash: event.prevHash, hash: event.hash, itemCount: event.items.length, mismatch: eventMismatch(chain, event) };
}
