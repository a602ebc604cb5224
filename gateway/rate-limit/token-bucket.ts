/**
 * Token-bucket arithmetic, pure: no clock, no storage. A bucket holds up to `capacity` tokens
 * and regains them continuously at `refillPerMs`; a request takes `cost` tokens or is refused.
 * The Redis script (redis-buckets.ts) implements exactly this; the in-process store calls it.
 */
export interface Bucket {
  readonly capacity: number;
  readonly refillPerMs: number;
}

/** A bucket's content when last touched; no state at all means the bucket is full. */
export interface BucketState {
  readonly tokens: number;
  readonly updatedAt: number;
}

export type TakeResult =
  | { readonly allowed: true; readonly states: readonly BucketState[] }
  /** `blocked` is the index of the bucket the caller waits longest for. */
  | { readonly allowed: false; readonly blocked: number; readonly retryAfterMs: number };

const MINUTE_MS = 60_000;

/**
 * "N requests per minute" as a bucket: a caller who has been quiet may spend a minute's
 * allowance at once (a UI opening several panels), and then gets one token every 60/N s.
 */
export function perMinute(requests: number): Bucket {
  if (!Number.isInteger(requests) || requests < 1) throw new RangeError(`a rate limit must be a whole number of at least 1 per minute, got ${requests}`);
  return { capacity: requests, refillPerMs: requests / MINUTE_MS };
}

/** How long a bucket takes to fill up from empty: after that, its state can be forgotten. */
export const fullAfterMs = (bucket: Bucket): number => Math.ceil(bucket.capacity / bucket.refillPerMs);

/** Tokens in the bucket at `now`. A clock that went backwards refills nothing (and takes nothing back). */
export function tokensAt(bucket: Bucket, state: BucketState | undefined, now: number): number {
  if (state === undefined) return bucket.capacity;
  const elapsed = Math.max(0, now - state.updatedAt);
  return Math.min(bucket.capacity, state.tokens + elapsed * bucket.refillPerMs);
}

/**
 * Takes `cost` tokens from every bucket, or from none: a request refused by its org's bucket
 * must not also drain the caller's own (and the reverse), or a refusal would cost as much as
 * an answer. A cost above a bucket's capacity is charged as the whole bucket, so that a batch
 * larger than a tiny limit waits for a full bucket instead of being refused forever.
 */
export function takeTokens(
  buckets: readonly { readonly bucket: Bucket; readonly state: BucketState | undefined }[],
  cost: number,
  now: number,
): TakeResult {
  if (!(cost > 0)) throw new RangeError(`a request costs at least one token, got ${cost}`);
  let blocked = -1;
  let retryAfterMs = 0;
  const available = buckets.map(({ bucket, state }, index) => {
    const tokens = tokensAt(bucket, state, now);
    const charge = Math.min(cost, bucket.capacity);
    if (tokens < charge) {
      const wait = Math.ceil((charge - tokens) / bucket.refillPerMs);
      if (wait > retryAfterMs) {
        retryAfterMs = wait;
        blocked = index;
      }
    }
    return { tokens, charge };
  });
  if (blocked >= 0) return { allowed: false, blocked, retryAfterMs: Math.max(1, retryAfterMs) };
  return { allowed: true, states: available.map(({ tokens, charge }) => ({ tokens: tokens - charge, updatedAt: now })) };
}
