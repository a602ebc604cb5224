import { badInput } from '../../lib/errors.js';
import { CHAIN_ID } from '../../lib/audit/entry.js';

/**
 * The keyset position of an entry (an event's item) in newest-first order: its time, then its
 * chain, seq and item (a total order: (chain, seq, item) is the item's key). Opaque to clients (base64url); a cursor that
 * does not decode is a BAD_USER_INPUT, never a silent restart from the first page.
 */
export interface CursorPosition {
  readonly at: Date;
  readonly chain: string;
  readonly seq: number;
  readonly item: number;
}

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(`audit2:${position.at.getTime()}:${position.chain}:${position.seq}.${position.item}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): CursorPosition {
  // audit2 since events (issue 12): a cursor of the per-entry log (audit1) no longer names a place.
  const match = /^audit2:(-?\d{1,16}):([^:]{1,63}):(\d{1,16})\.(\d{1,9})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  const at = Number(match?.[1]);
  const chain = match?.[2] ?? '';
  const seq = Number(match?.[3]);
  const item = Number(match?.[4]);
  if (!Number.isSafeInteger(at) || !CHAIN_ID.test(chain) || !Number.isSafeInteger(seq) || !Number.isSafeInteger(item) || Number.isNaN(new Date(at).getTime())) {
    throw badInput('"after" is not a cursor of this access log', { after: cursor.slice(0, 100) });
  }
  return { at: new Date(at), chain, seq, item };
}
