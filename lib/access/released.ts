import type { RecordDecision } from './decision.js';

/**
 * A record that passed the access funnel carries its decision under a private symbol. The
 * field guard reads it for every field; an object without one never reaches a client.
 */
const DECISION = Symbol('tributary.decision');

export type Released<R extends object> = R & { readonly [DECISION]: RecordDecision };

export function markReleased<R extends object>(record: R, decision: RecordDecision): Released<R> {
  // Records are plain objects read from rows: a spread copies them several times faster than
  // Object.assign onto Object.create(...); anything else keeps its prototype.
  // The decision is written first: V8 copies `{ key, ...record }` several times faster than
  // `{ ...record, key }`. A record released before carries an older decision, which the spread
  // copies over this one; it is put back (rare: one record released twice).
  if (Object.getPrototypeOf(record) === Object.prototype) {
    const released = { [DECISION]: decision, ...record } as { [DECISION]: RecordDecision } & R;
    if (released[DECISION] !== decision) released[DECISION] = decision;
    return released as Released<R>;
  }
  return Object.assign(Object.create(Object.getPrototypeOf(record) as object | null) as object, record, {
    [DECISION]: decision,
  }) as Released<R>;
}

export function decisionOf(source: unknown): RecordDecision | undefined {
  // One property read (the field guard asks for every field of every record): a missing
  // decision reads as undefined, as `in` would have said.
  if (typeof source !== 'object' || source === null) return undefined;
  return (source as { readonly [DECISION]?: RecordDecision })[DECISION];
}
