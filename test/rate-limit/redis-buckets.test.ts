import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisBuckets, perMinute, startRateLimiter, type RateLimiter, type RateLimiterOptions } from '../../gateway/rate-limit/index.js';
import { deleteKeys, redisReachable, startTcpFault, testRedisUrl, uniqueKeyPrefix, type TcpFault } from '../support/redis.js';

const log = pino({ level: 'silent' });
const caller = { iss: 'https://idp.example', sub: 'analyst-1', org: 'cbp-tucson' };
const reachable = await redisReachable();
if (!reachable) console.warn(`Redis is not reachable at ${testRedisUrl()}: the shared rate-limit tests are skipped`);

/** Outcomes of `n` checks, as 'ok' or the refusing limit. */
async function checks(limiter: RateLimiter, n: number, who = caller): Promise<string[]> {
  const outcomes: string[] = [];
  for (let i = 0; i < n; i += 1) {
    const decision = await limiter.check(who);
    outcomes.push(decision.allowed ? 'ok' : decision.limit);
  }
  return outcomes;
}

describe.skipIf(!reachable)('rate limits shared through Redis', () => {
  const prefix = uniqueKeyPrefix();
  const open: RateLimiter[] = [];
  const faults: TcpFault[] = [];
  const limiter = async (options: Partial<RateLimiterOptions> = {}): Promise<RateLimiter> => {
    const started = await startRateLimiter({ perSubject: 5, perOrg: 0, redisUrl: testRedisUrl(), keyPrefix: prefix, log, ...options });
    open.push(started);
    return started;
  };

  beforeAll(async () => {
    await deleteKeys(prefix);
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((each) => each.close()));
    await Promise.all(faults.splice(0).map((fault) => fault.close()));
    await deleteKeys(prefix);
  });
  afterAll(async () => {
    expect(await deleteKeys(prefix)).toBe(0);
  });

  it('runs the same arithmetic as the in-process buckets, on Redis time', async () => {
    const buckets = new RedisBuckets({ url: testRedisUrl(), keyPrefix: prefix, timeoutMs: 1_000 });
    try {
      await buckets.waitUntilReady(1_000);
      const bucket = perMinute(3); // a token every 20 s
      const take = () => buckets.take([{ key: 'math', bucket }], 1);
      expect([await take(), await take(), await take()]).toEqual([{ allowed: true }, { allowed: true }, { allowed: true }]);
      const refused = await take();
      expect(refused).toMatchObject({ allowed: false, blocked: 0 });
      // Just under 20 s: a few ms of Redis time have passed since the third token was taken.
      expect(refused.allowed ? 0 : refused.retryAfterMs).toBeGreaterThan(19_000);
      expect(refused.allowed ? 0 : refused.retryAfterMs).toBeLessThanOrEqual(20_000);
    } finally {
      await buckets.close();
    }
  });

  it('gives two gateway replicas one budget per subject', async () => {
    const [first, second] = [await limiter(), await limiter()];
    expect([...(await checks(first, 3)), ...(await checks(second, 2))]).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    expect(await checks(first, 1)).toEqual(['subject']);
    expect(await checks(second, 1)).toEqual(['subject']);
  });

  it('charges subject and org atomically under concurrent checks from several replicas', async () => {
    const replicas = [await limiter({ perSubject: 0, perOrg: 10 }), await limiter({ perSubject: 0, perOrg: 10 }), await limiter({ perSubject: 0, perOrg: 10 })];
    const decisions = await Promise.all(Array.from({ length: 60 }, (_, i) => (replicas[i % 3] as RateLimiter).check({ ...caller, sub: `analyst-${i}` })));
    expect(decisions.filter((decision) => decision.allowed)).toHaveLength(10);
    expect(decisions.filter((decision) => !decision.allowed && decision.limit === 'org')).toHaveLength(50);
  });

  it('falls back to local buckets at once when Redis refuses connections: no hang, the limit still holds', async () => {
    const started = Date.now();
    const unreachable = await limiter({ redisUrl: 'redis://127.0.0.1:1' });
    expect(Date.now() - started).toBeLessThan(2_000);
    const timed = Date.now();
    expect(await checks(unreachable, 7)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'subject', 'subject']);
    expect(Date.now() - timed).toBeLessThan(200);
  });

  it('falls back within its timeout when Redis stops answering on an open connection', async () => {
    const fault = await startTcpFault();
    faults.push(fault);
    const hung = await limiter({ redisUrl: fault.url, redisTimeoutMs: 100, redisRetryMs: 60_000 });
    expect(await checks(hung, 2)).toEqual(['ok', 'ok']);
    fault.set('blackhole');
    const timed = Date.now();
    // The first check pays one timeout; the next ones skip Redis until redisRetryMs has passed.
    expect(await checks(hung, 5)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    expect(Date.now() - timed).toBeLessThan(1_000);
    // Local buckets start full: with Redis gone, a replica may grant up to one more budget.
    expect(await checks(hung, 1)).toEqual(['subject']);
  });

  it('shares budgets again once Redis is back, without a restart', async () => {
    const fault = await startTcpFault();
    faults.push(fault);
    const flaky = await limiter({ redisUrl: fault.url, redisRetryMs: 100 });
    const steady = await limiter();
    expect(await checks(flaky, 1)).toEqual(['ok']);
    fault.set('down');
    expect(await checks(flaky, 5)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    fault.set('up');
    // ioredis reconnects on its own (within ~2 s). Until then the flaky replica answers from its
    // own buckets; once back, a subject whose budget the steady replica spent is refused by it too.
    const deadline = Date.now() + 5_000;
    let shared = false;
    for (let round = 0; !shared && Date.now() < deadline; round += 1) {
      await sleep(100);
      const subject = { ...caller, sub: `after-outage-${round}` };
      expect(await checks(steady, 5, subject)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
      shared = (await flaky.check(subject)).allowed === false;
    }
    expect(shared).toBe(true);
  });
});
