import type { Bucket } from './token-bucket.js';

/** One bucket a request draws on: where its state lives and how it refills. */
export interface BucketRequest {
  readonly key: string;
  readonly bucket: Bucket;
}

export type TakeOutcome =
  | { readonly allowed: true }
  /** `blocked` indexes the request's buckets: the one the caller waits longest for. */
  | { readonly allowed: false; readonly blocked: number; readonly retryAfterMs: number };

/**
 * Where bucket states live: this process's memory, or Redis shared by every gateway replica.
 * `take` is atomic over all the buckets it is given (all charged, or none).
 */
export interface BucketStore {
  take(buckets: readonly BucketRequest[], cost: number): Promise<TakeOutcome>;
  close(): Promise<void>;
}
