import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { MemoryBuckets, perMinute, rateLimitedError, startRateLimiter, type RateLimiter } from '../../gateway/rate-limit/index.js';

const log = pino({ level: 'silent' });
const analyst = { iss: 'https://idp.example', sub: 'analyst-1', org: 'cbp-tucson' };
const colleague = { iss: 'https://idp.example', sub: 'analyst-2', org: 'cbp-tucson' };
const stranger = { iss: 'https://idp.example', sub: 'officer-1', org: 'ice-ero-phoenix' };

/** A limiter on in-process buckets whose clock the test moves. */
async function limiterAt(perSubject: number, perOrg: number): Promise<{ limiter: RateLimiter; advance: (ms: number) => void }> {
  let now = 1_000_000;
  const limiter = await startRateLimiter({ perSubject, perOrg, log, clock: () => now });
  return { limiter, advance: (ms) => (now += ms) };
}

async function spend(limiter: RateLimiter, caller: typeof analyst, requests: number): Promise<void> {
  for (let i = 0; i < requests; i += 1) {
    const decision = await limiter.check(caller);
    if (!decision.allowed) throw new Error(`request ${i + 1} of ${requests} was refused`);
  }
}

describe('the rate limiter (in-process buckets)', () => {
  it('gives each subject its own budget and says when to retry', async () => {
    const { limiter, advance } = await limiterAt(3, 0);
    await spend(limiter, analyst, 3);
    expect(await limiter.check(analyst)).toEqual({ allowed: false, limit: 'subject', perMinute: 3, retryAfterSeconds: 20 });
    await spend(limiter, colleague, 3);
    advance(19_000);
    expect(await limiter.check(analyst)).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
    advance(1_000);
    expect(await limiter.check(analyst)).toEqual({ allowed: true });
  });

  it('keys a subject by issuer and subject together: the same `sub` from another issuer is someone else', async () => {
    const { limiter } = await limiterAt(1, 0);
    await spend(limiter, analyst, 1);
    expect(await limiter.check({ ...analyst, iss: 'https://other-idp.example' })).toEqual({ allowed: true });
  });

  it('shares one budget among the members of an org, and not with other orgs', async () => {
    const { limiter } = await limiterAt(0, 4);
    await spend(limiter, analyst, 2);
    await spend(limiter, colleague, 2);
    expect(await limiter.check(colleague)).toEqual({ allowed: false, limit: 'org', perMinute: 4, retryAfterSeconds: 15 });
    expect(await limiter.check(stranger)).toEqual({ allowed: true });
  });

  it('does not drain the org budget with requests the subject budget refused', async () => {
    const { limiter } = await limiterAt(2, 3);
    await spend(limiter, analyst, 2);
    for (let i = 0; i < 10; i += 1) expect(await limiter.check(analyst)).toMatchObject({ allowed: false, limit: 'subject' });
    await spend(limiter, colleague, 1);
    expect(await limiter.check(colleague)).toMatchObject({ allowed: false, limit: 'org' });
  });

  it('turns a limit off with 0, and both off means no limit at all', async () => {
    const { limiter } = await limiterAt(0, 0);
    await spend(limiter, analyst, 10_000);
  });

  it('charges a batch one request per operation', async () => {
    const { limiter } = await limiterAt(10, 0);
    expect(await limiter.check(analyst, 10)).toEqual({ allowed: true });
    expect(await limiter.check(analyst, 1)).toMatchObject({ allowed: false, limit: 'subject' });
  });

  it('forgets buckets that have refilled, so memory follows the active callers only', async () => {
    let now = 0;
    const buckets = new MemoryBuckets(() => now);
    const bucket = perMinute(60);
    for (let i = 0; i < 1_000; i += 1) buckets.takeNow([{ key: `caller-${i}`, bucket }], 1);
    expect(buckets.size).toBe(1_000);
    now += 61_000;
    buckets.takeNow([{ key: 'caller-new', bucket }], 1);
    expect(buckets.size).toBe(1);
  });

  it('refuses as RATE_LIMITED, HTTP 429, with the wait in extensions and in a retry-after header', () => {
    const error = rateLimitedError({ allowed: false, limit: 'org', perMinute: 6_000, retryAfterSeconds: 7 });
    expect(error.message).toBe("Rate limit exceeded: your organization's limit is 6000 requests per minute; retry in 7 s");
    expect(error.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 7, limit: 'org', http: { status: 429 } });
    const http = error.extensions['http'] as unknown as { headers: Map<string, string> };
    expect(http.headers.get('retry-after')).toBe('7');
  });
});
