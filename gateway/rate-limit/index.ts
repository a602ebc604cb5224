export type { BucketRequest, BucketStore, TakeOutcome } from './bucket-store.js';
export { MemoryBuckets } from './memory-buckets.js';
export { RedisBuckets, type RedisBucketsOptions } from './redis-buckets.js';
export { rateLimitedError } from './rate-limited-error.js';
export {
  DEFAULT_RATE_LIMIT_KEY_PREFIX,
  rateLimiterFromSettings,
  startRateLimiter,
  type RateDecision,
  type RateLimitedCaller,
  type RateLimiter,
  type RateLimiterOptions,
  type RateLimitName,
} from './rate-limiter.js';
export { fullAfterMs, perMinute, takeTokens, tokensAt, type Bucket, type BucketState, type TakeResult } from './token-bucket.js';
