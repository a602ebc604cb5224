import { describe, expect, it } from 'vitest';
import type { RecordDecision } from '../../lib/access/decision.js';
import { decisionOf, markReleased } from '../../lib/access/released.js';

const decision = (visible: boolean): RecordDecision => ({
  visible,
  rules: [visible ? 'test.allow' : 'test.deny'],
  reason: 'test',
  categories: new Set(),
  field: () => ({ allowed: visible, rule: 'test', reason: 'test' }),
});

describe('markReleased', () => {
  it('copies the record with its decision, leaving the record as it was', () => {
    const record = { id: 'r-1', name: 'n' };
    const allowed = decision(true);
    const released = markReleased(record, allowed);
    expect(Object.entries(released)).toEqual(Object.entries(record));
    expect(released).not.toBe(record);
    expect(decisionOf(released)).toBe(allowed);
    expect(decisionOf(record)).toBeUndefined();
  });

  it('carries the newest decision when a released record is released again', () => {
    const first = decision(true);
    const second = decision(false);
    const again = markReleased(markReleased({ id: 'r-2' }, first), second);
    expect(decisionOf(again)).toBe(second);
  });

  it('keeps the prototype of a record that is not a plain object', () => {
    class Shaped {
      readonly id = 'r-3';
    }
    const released = markReleased(new Shaped(), decision(true));
    expect(released).toBeInstanceOf(Shaped);
    expect(released.id).toBe('r-3');
  });
});
