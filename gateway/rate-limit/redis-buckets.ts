import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import type { BucketRequest, BucketStore, TakeOutcome } from './bucket-store.js';
import { fullAfterMs } from './token-bucket.js';

export interface RedisBucketsOptions {
  readonly url: string;
  /** Prepended to every key: replicas of one deployment share it, nothing else should. */
  readonly keyPrefix: string;
  /**
   * Longest one `take` may wait for Redis (connecting included) before it rejects, so that the
   * limiter can fall back instead of holding the request.
   */
  readonly timeoutMs: number;
  /** Connection errors, as ioredis reports them (it reconnects by itself). */
  readonly onConnectionError?: (error: Error) => void;
}

/**
 * takeTokens (token-bucket.ts) as one Lua script, so that read, decide and write happen
 * atomically in Redis however many replicas draw on the same bucket. Time is Redis's own
 * (TIME), not each replica's: replicas with skewed clocks still agree on refills.
 *
 * KEYS: one per bucket. ARGV[1]: the cost; then, per bucket, its capacity, its refill per ms
 * and how long an untouched state stays meaningful (the time to refill from empty).
 * Returns {1, -1, 0} when every bucket was charged, {0, blocked index (from 0), wait ms} when none.
 */
const TAKE_SCRIPT = `
local cost = tonumber(ARGV[1])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local tokens, charges = {}, {}
local blocked, wait = 0, 0
for i = 1, #KEYS do
  local capacity = tonumber(ARGV[i * 3 - 1])
  local rate = tonumber(ARGV[i * 3])
  local state = redis.call('HMGET', KEYS[i], 'tokens', 'at', 'capacity', 'rate')
  local t = capacity
  -- A state written for another bucket size (the limit changed) is ignored: start full.
  if state[1] and state[3] == ARGV[i * 3 - 1] and state[4] == ARGV[i * 3] then
    t = math.min(capacity, tonumber(state[1]) + math.max(0, now - tonumber(state[2])) * rate)
  end
  local charge = math.min(cost, capacity)
  tokens[i], charges[i] = t, charge
  if t < charge then
    local w = math.ceil((charge - t) / rate)
    if w > wait then blocked, wait = i, w end
  end
end
if blocked > 0 then return {0, blocked - 1, math.max(1, wait)} end
for i = 1, #KEYS do
  redis.call('HSET', KEYS[i], 'tokens', tostring(tokens[i] - charges[i]), 'at', now, 'capacity', ARGV[i * 3 - 1], 'rate', ARGV[i * 3])
  redis.call('PEXPIRE', KEYS[i], ARGV[i * 3 + 1])
end
return {1, -1, 0}
`;
const TAKE_SCRIPT_SHA = createHash('sha1').update(TAKE_SCRIPT).digest('hex');

/** Buckets in Redis, shared by every gateway replica pointed at it (REDIS_URL). */
export class RedisBuckets implements BucketStore {
  private readonly client: Redis;
  private readonly keyPrefix: string;

  constructor(options: RedisBucketsOptions) {
    this.keyPrefix = options.keyPrefix;
    this.client = new Redis(options.url, {
      // Load-bearing for "never hang": without these, ioredis queues commands while it
      // (re)connects and retries them, and a request would wait for Redis indefinitely.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.timeoutMs,
      connectTimeout: Math.max(options.timeoutMs, 1_000),
      // Keep reconnecting in the background (at most every 2 s) so buckets are shared again as
      // soon as Redis is back, without a restart.
      retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    });
    // Without a listener ioredis prints every failed reconnection; the limiter reports outages.
    this.client.on('error', (error: Error) => options.onConnectionError?.(error));
  }

  /** Whether commands can be sent now: when not, `take` rejects at once (no offline queue). */
  get ready(): boolean {
    return this.client.status === 'ready';
  }

  /**
   * Resolves once connected, or at the first connection error, or after `ms`, whichever comes
   * first; then `ready` says which. A Redis that refuses connections costs no start-up delay.
   */
  async waitUntilReady(ms: number): Promise<boolean> {
    if (this.ready) return true;
    let timer: NodeJS.Timeout | undefined;
    let settle: (() => void) | undefined;
    await new Promise<void>((resolve) => {
      settle = resolve;
      timer = setTimeout(resolve, ms);
      this.client.once('ready', resolve);
      this.client.once('error', resolve);
    });
    clearTimeout(timer);
    if (settle) {
      this.client.off('ready', settle);
      this.client.off('error', settle);
    }
    return this.ready;
  }

  async take(buckets: readonly BucketRequest[], cost: number): Promise<TakeOutcome> {
    const keys = buckets.map(({ key }) => `${this.keyPrefix}${key}`);
    const args = [String(cost), ...buckets.flatMap(({ bucket }) => [String(bucket.capacity), String(bucket.refillPerMs), String(fullAfterMs(bucket))])];
    let reply: unknown;
    try {
      reply = await this.client.evalsha(TAKE_SCRIPT_SHA, keys.length, ...keys, ...args);
    } catch (error) {
      // First use on this Redis (or after a restart or SCRIPT FLUSH): send the script itself.
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      reply = await this.client.eval(TAKE_SCRIPT, keys.length, ...keys, ...args);
    }
    return parseReply(reply, buckets.length);
  }

  async close(): Promise<void> {
    // disconnect, not quit: quit waits for Redis to answer, and Redis may be the thing that hangs.
    this.client.disconnect();
  }
}

function parseReply(reply: unknown, buckets: number): TakeOutcome {
  if (!Array.isArray(reply) || reply.length !== 3 || !reply.every((item) => typeof item === 'number')) {
    throw new Error(`rate limit script: unexpected reply ${JSON.stringify(reply)}`);
  }
  const [allowed, blocked, retryAfterMs] = reply as [number, number, number];
  if (allowed === 1) return { allowed: true };
  if (!Number.isInteger(blocked) || blocked < 0 || blocked >= buckets) throw new Error(`rate limit script: bucket index ${blocked} out of range`);
  return { allowed: false, blocked, retryAfterMs };
}
