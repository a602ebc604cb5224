import { describe, expect, it } from 'vitest';
import { fullAfterMs, perMinute, takeTokens, tokensAt, type Bucket, type BucketState } from '../../gateway/rate-limit/index.js';

/** Time is a number the test moves: no sleeps, no flakiness. */
describe('token-bucket arithmetic', () => {
  const sixty = perMinute(60); // one token per second, a burst of 60

  it('turns "N per minute" into a bucket of N that regains one token every 60/N seconds', () => {
    expect(sixty).toEqual({ capacity: 60, refillPerMs: 0.001 });
    expect(fullAfterMs(sixty)).toBe(60_000);
    expect(fullAfterMs(perMinute(600))).toBe(60_000);
  });

  it('refuses a limit that is not a whole number of at least one per minute', () => {
    for (const bad of [0, -1, 0.5, Number.NaN]) expect(() => perMinute(bad)).toThrow(RangeError);
  });

  it('counts a bucket never used as full', () => {
    expect(tokensAt(sixty, undefined, 1_000)).toBe(60);
  });

  it('refills with elapsed time, up to the capacity and no further', () => {
    const empty: BucketState = { tokens: 0, updatedAt: 0 };
    expect(tokensAt(sixty, empty, 1_000)).toBe(1);
    expect(tokensAt(sixty, empty, 30_500)).toBe(30.5);
    expect(tokensAt(sixty, empty, 3_600_000)).toBe(60);
  });

  it('refills nothing when the clock goes backwards', () => {
    expect(tokensAt(sixty, { tokens: 5, updatedAt: 10_000 }, 9_000)).toBe(5);
  });

  it('lets a full bucket spend its capacity at once, then refuses with the time until the next token', () => {
    const bucket = perMinute(3); // a token every 20 s
    let state: BucketState | undefined;
    for (let i = 0; i < 3; i += 1) {
      const result = takeTokens([{ bucket, state }], 1, 0);
      if (!result.allowed) throw new Error(`request ${i + 1} of 3 was refused`);
      state = result.states[0];
    }
    expect(state).toEqual({ tokens: 0, updatedAt: 0 });
    expect(takeTokens([{ bucket, state }], 1, 0)).toEqual({ allowed: false, blocked: 0, retryAfterMs: 20_000 });
    expect(takeTokens([{ bucket, state }], 1, 15_000)).toEqual({ allowed: false, blocked: 0, retryAfterMs: 5_000 });
    expect(takeTokens([{ bucket, state }], 1, 20_000)).toMatchObject({ allowed: true, states: [{ tokens: 0, updatedAt: 20_000 }] });
  });

  it('never answers a refusal with a wait of zero', () => {
    const bucket = perMinute(60);
    expect(takeTokens([{ bucket, state: { tokens: 0.9999999, updatedAt: 0 } }], 1, 0)).toEqual({ allowed: false, blocked: 0, retryAfterMs: 1 });
  });

  it('charges every bucket or none: a refusal by one does not drain the other', () => {
    const subject: Bucket = perMinute(10);
    const org: Bucket = perMinute(100);
    const orgEmpty: BucketState = { tokens: 0, updatedAt: 0 };
    const subjectHalf: BucketState = { tokens: 5, updatedAt: 0 };
    expect(takeTokens([{ bucket: subject, state: subjectHalf }, { bucket: org, state: orgEmpty }], 1, 0)).toEqual({
      allowed: false,
      blocked: 1,
      retryAfterMs: 600,
    });
    // Nothing was written on refusal: the caller's own state is whatever it was.
    const allowed = takeTokens([{ bucket: subject, state: subjectHalf }, { bucket: org, state: undefined }], 1, 0);
    expect(allowed).toEqual({ allowed: true, states: [{ tokens: 4, updatedAt: 0 }, { tokens: 99, updatedAt: 0 }] });
  });

  it('names the bucket the caller waits longest for when several refuse', () => {
    const subject = perMinute(60); // 1 s per token
    const org = perMinute(6); // 10 s per token
    const empty: BucketState = { tokens: 0, updatedAt: 0 };
    expect(takeTokens([{ bucket: subject, state: empty }, { bucket: org, state: empty }], 1, 0)).toEqual({ allowed: false, blocked: 1, retryAfterMs: 10_000 });
  });

  it('charges a batch one token per operation', () => {
    const bucket = perMinute(10);
    expect(takeTokens([{ bucket, state: undefined }], 4, 0)).toMatchObject({ states: [{ tokens: 6 }] });
    expect(takeTokens([{ bucket, state: { tokens: 3, updatedAt: 0 } }], 4, 0)).toEqual({ allowed: false, blocked: 0, retryAfterMs: 6_000 });
  });

  it('charges a batch larger than the whole bucket as the whole bucket, so it waits instead of failing forever', () => {
    const bucket = perMinute(5);
    expect(takeTokens([{ bucket, state: undefined }], 10, 0)).toMatchObject({ allowed: true, states: [{ tokens: 0 }] });
    expect(takeTokens([{ bucket, state: { tokens: 0, updatedAt: 0 } }], 10, 0)).toEqual({ allowed: false, blocked: 0, retryAfterMs: 60_000 });
  });

  it('refuses a cost below one token', () => {
    expect(() => takeTokens([{ bucket: sixty, state: undefined }], 0, 0)).toThrow(RangeError);
  });
});
