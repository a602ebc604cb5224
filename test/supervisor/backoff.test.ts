import { describe, expect, it } from 'vitest';
import { Backoff } from '../../lib/process/backoff.js';

describe("the supervisor's restart backoff", () => {
  it('waits 0.5 s, doubling with each death in a row, at most 10 s', () => {
    const backoff = new Backoff();
    const delays = Array.from({ length: 8 }, () => backoff.next(1_000));
    expect(delays).toEqual([500, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000, 10_000]);
    expect(backoff.consecutive).toBe(8);
  });

  it('starts again at 0.5 s after a child stayed up a minute (it was healthy)', () => {
    const backoff = new Backoff();
    backoff.next(100);
    backoff.next(100);
    expect(backoff.next(59_999)).toBe(2_000);
    expect(backoff.next(60_000)).toBe(500);
    expect(backoff.consecutive).toBe(1);
  });
});
