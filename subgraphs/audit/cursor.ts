import { badInput } from '../../lib/errors.js';
import { CHAIN_ID } from '../../lib/audit/entry.js';

/**
 * The keyset position of an entry in newest-first order: its time, then its chain and seq
 * (a total order: (chain, seq) is the entry's key). Opaque to clients (base64url); a cursor that
 * does not decode is a BAD_USER_INPUT, never a silent restart from the first page.
 */
export interface CursorPosition {
  readonly at: Date;
  readonly chain: string;
  readonly seq: number;
}

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(`audit1:${position.at.getTime()}:${position.chain}:${position.seq}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): CursorPosition {
  const match = /^audit1:(-?\d{1,16}):([^:]{1,63}):(\d{1,16})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  const at = Number(match?.[1]);
  const chain = match?.[2] ?? '';
  const seq = Number(match?.[3]);
  if (!Number.isSafeInteger(at) || !CHAIN_ID.test(chain) || !Number.isSafeInteger(seq) || Number.isNaN(new Date(at).getTime())) {
    throw badInput('"after" is not a cursor of this access log', { after: cursor.slice(0, 100) });
  }
  return { at: new Date(at), chain, seq };
}
