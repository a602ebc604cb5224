import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Settings } from '../../lib/config.js';
import type { BucketRequest, TakeOutcome } from './bucket-store.js';
import { MemoryBuckets } from './memory-buckets.js';
import { RedisBuckets } from './redis-buckets.js';
import { perMinute, type Bucket } from './token-bucket.js';

/** Which budget refused a request (SPEC 8): the caller's own, or its whole organization's. */
export type RateLimitName = 'subject' | 'org';

export type RateDecision =
  | { readonly allowed: true }
  | {
      readonly allowed: false;
      readonly limit: RateLimitName;
      /** The refused budget, in requests per minute. */
      readonly perMinute: number;
      /** Whole seconds until the request would be accepted (at least 1). */
      readonly retryAfterSeconds: number;
    };

/** The caller as the limiter keys it: verified claims only (it runs after authentication). */
export interface RateLimitedCaller {
  readonly iss: string;
  readonly sub: string;
  readonly org: string;
}

export interface RateLimiter {
  /** Charges `cost` requests (a batch costs one per operation) to the caller's and its org's budgets. */
  check(caller: RateLimitedCaller, cost?: number): Promise<RateDecision>;
  close(): Promise<void>;
}

export interface RateLimiterOptions {
  /** Requests per minute per subject (`iss` + `sub`); 0 turns this limit off. */
  readonly perSubject: number;
  /** Requests per minute per organization; 0 turns this limit off. */
  readonly perOrg: number;
  /** Shared buckets across gateway replicas; unset: this process's own. */
  readonly redisUrl?: string | undefined;
  /** Redis key prefix (default `tributary:ratelimit:`). */
  readonly keyPrefix?: string;
  /** Longest a check waits for Redis before falling back to local buckets (default 250 ms). */
  readonly redisTimeoutMs?: number;
  /** How long to stop asking Redis after it failed (default 1 s); it still reconnects meanwhile. */
  readonly redisRetryMs?: number;
  readonly log: Logger;
  /** The local buckets' clock (tests control it); Redis uses its own. */
  readonly clock?: () => number;
}

export const DEFAULT_RATE_LIMIT_KEY_PREFIX = 'tributary:ratelimit:';
const DEFAULT_REDIS_TIMEOUT_MS = 250;
const DEFAULT_REDIS_RETRY_MS = 1_000;

/** The limiter SPEC 8 describes, from the operator's settings. */
export function rateLimiterFromSettings(
  settings: Pick<Settings, 'rateLimitPerSubject' | 'rateLimitPerOrg' | 'redisUrl'>,
  options: Omit<RateLimiterOptions, 'perSubject' | 'perOrg' | 'redisUrl'>,
): Promise<RateLimiter> {
  return startRateLimiter({ ...options, perSubject: settings.rateLimitPerSubject, perOrg: settings.rateLimitPerOrg, redisUrl: settings.redisUrl });
}

/**
 * Token buckets per subject and per org. With Redis, the first check waits (briefly) for a
 * connection so that a fresh replica shares its budget from the first request.
 */
export async function startRateLimiter(options: RateLimiterOptions): Promise<RateLimiter> {
  const limits: { readonly name: RateLimitName; readonly perMinute: number }[] = [];
  if (options.perSubject > 0) limits.push({ name: 'subject', perMinute: options.perSubject });
  if (options.perOrg > 0) limits.push({ name: 'org', perMinute: options.perOrg });
  if (limits.length === 0) return { check: async () => ({ allowed: true }), close: async () => undefined };
  const limiter = new BucketRateLimiter(options, limits);
  await limiter.connect();
  return limiter;
}

class BucketRateLimiter implements RateLimiter {
  private readonly local: MemoryBuckets;
  private readonly shared: RedisBuckets | undefined;
  private readonly buckets: readonly { readonly name: RateLimitName; readonly perMinute: number; readonly bucket: Bucket }[];
  private readonly log: Logger;
  private readonly redisTimeoutMs: number;
  private readonly redisRetryMs: number;
  /** Redis is skipped until then (wall-clock ms) after a failure, so an outage costs one timeout, not one per request. */
  private redisSkippedUntil = 0;
  private degraded = false;

  constructor(options: RateLimiterOptions, limits: readonly { readonly name: RateLimitName; readonly perMinute: number }[]) {
    this.log = options.log;
    this.local = new MemoryBuckets(options.clock);
    this.buckets = limits.map((limit) => ({ ...limit, bucket: perMinute(limit.perMinute) }));
    this.redisTimeoutMs = options.redisTimeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS;
    this.redisRetryMs = options.redisRetryMs ?? DEFAULT_REDIS_RETRY_MS;
    this.shared =
      options.redisUrl === undefined
        ? undefined
        : new RedisBuckets({
            url: options.redisUrl,
            keyPrefix: options.keyPrefix ?? DEFAULT_RATE_LIMIT_KEY_PREFIX,
            timeoutMs: this.redisTimeoutMs,
            onConnectionError: (error) => this.redisFailed(error),
          });
  }

  async connect(): Promise<void> {
    if (this.shared && !(await this.shared.waitUntilReady(Math.max(this.redisTimeoutMs, 1_000)))) {
      this.redisFailed(new Error('Redis did not answer at start-up'));
    }
  }

  async check(caller: RateLimitedCaller, cost = 1): Promise<RateDecision> {
    const requests: BucketRequest[] = this.buckets.map(({ name, bucket }) => ({
      key: name === 'subject' ? `subject:${digest(caller.iss, caller.sub)}` : `org:${digest(caller.org)}`,
      bucket,
    }));
    const outcome = await this.take(requests, Math.max(1, Math.floor(cost)));
    if (outcome.allowed) return outcome;
    const refused = this.buckets[outcome.blocked] ?? this.buckets[0];
    if (refused === undefined) return { allowed: true };
    return { allowed: false, limit: refused.name, perMinute: refused.perMinute, retryAfterSeconds: Math.max(1, Math.ceil(outcome.retryAfterMs / 1_000)) };
  }

  async close(): Promise<void> {
    await this.shared?.close();
    await this.local.close();
  }

  /**
   * Redis down: fall back to this replica's own buckets; neither fail open nor fail closed.
   *
   * Fail closed (refuse everything) would turn an outage of Redis, which holds no records and
   * guards no secret, into an outage of the whole federation, and hand anyone able to knock
   * Redis over a way to deny service to every agency. Fail open (no limit) would drop the
   * protection exactly when something is already wrong. Local buckets keep every caller within
   * its budget per replica, so with N replicas a caller gets at most N times its budget until
   * Redis returns; authentication, policy and audit apply to every request either way: a rate
   * limit protects capacity, not confidentiality.
   */
  private async take(requests: readonly BucketRequest[], cost: number): Promise<TakeOutcome> {
    if (this.shared && this.shared.ready && Date.now() >= this.redisSkippedUntil) {
      try {
        const outcome = await this.shared.take(requests, cost);
        if (this.degraded) {
          this.degraded = false;
          this.log.info('rate limits: Redis is back; buckets are shared across replicas again');
        }
        return outcome;
      } catch (error) {
        this.redisFailed(error);
      }
    }
    return this.local.takeNow(requests, cost);
  }

  private redisFailed(error: unknown): void {
    this.redisSkippedUntil = Date.now() + this.redisRetryMs;
    if (this.degraded) return;
    this.degraded = true;
    this.log.warn({ err: error }, "rate limits: Redis unreachable; each replica counts on its own buckets until it returns");
  }
}

/** Claims become fixed-length keys: nothing a token says can make a key long or ambiguous. */
function digest(...parts: readonly string[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url');
}
