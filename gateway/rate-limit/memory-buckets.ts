import type { BucketRequest, BucketStore, TakeOutcome } from './bucket-store.js';
import { fullAfterMs, takeTokens, type Bucket, type BucketState } from './token-bucket.js';

interface Entry {
  readonly bucket: Bucket;
  readonly state: BucketState;
}

/** How often the map is swept of buckets that have refilled (and so carry no information). */
const SWEEP_EVERY_MS = 60_000;

/**
 * Buckets in this process's memory: the default, and the fallback when Redis is unreachable.
 * Memory stays bounded by the callers active in the last minute or so: a bucket untouched for
 * as long as it takes to refill is full again, exactly as if it had never been stored, and is
 * dropped by a sweep that runs at most once a minute during `take` (no timer to stop).
 */
export class MemoryBuckets implements BucketStore {
  private readonly entries = new Map<string, Entry>();
  private lastSweep: number;

  constructor(private readonly clock: () => number = Date.now) {
    this.lastSweep = clock();
  }

  /** Buckets currently remembered (tests check that idle ones are forgotten). */
  get size(): number {
    return this.entries.size;
  }

  async take(buckets: readonly BucketRequest[], cost: number): Promise<TakeOutcome> {
    return this.takeNow(buckets, cost);
  }

  /** Synchronous, hence atomic within the process: no other take can interleave. */
  takeNow(buckets: readonly BucketRequest[], cost: number): TakeOutcome {
    const now = this.clock();
    this.sweep(now);
    const result = takeTokens(
      buckets.map(({ key, bucket }) => ({ bucket, state: this.stateOf(key, bucket) })),
      cost,
      now,
    );
    if (!result.allowed) return result;
    result.states.forEach((state, index) => {
      const request = buckets[index];
      if (request !== undefined) this.entries.set(request.key, { bucket: request.bucket, state });
    });
    return { allowed: true };
  }

  async close(): Promise<void> {
    this.entries.clear();
  }

  /** A stored state made for another bucket size (the limit changed) is ignored: start full. */
  private stateOf(key: string, bucket: Bucket): BucketState | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    return entry.bucket.capacity === bucket.capacity && entry.bucket.refillPerMs === bucket.refillPerMs ? entry.state : undefined;
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = now;
    for (const [key, { bucket, state }] of this.entries) {
      if (now - state.updatedAt >= fullAfterMs(bucket)) this.entries.delete(key);
    }
  }
}
