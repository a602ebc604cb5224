/**
 * How long the supervisor waits before restarting a child that died: 0.5 s, doubling with each
 * death in a row, at most 10 s, so a service that cannot start (a port taken, a database down)
 * is retried without spinning two shared cores. A child that stayed up for a minute was healthy:
 * its next death starts the sequence again.
 */
export interface BackoffPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
  /** A child up at least this long counts as healthy; its next failure restarts at `initialMs`. */
  readonly resetAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 500, maxMs: 10_000, resetAfterMs: 60_000 };

export class Backoff {
  private failures = 0;

  constructor(private readonly policy: BackoffPolicy = DEFAULT_BACKOFF) {}

  /** The delay before the next start of a child that ran for `uptimeMs` and then died. */
  next(uptimeMs: number): number {
    if (uptimeMs >= this.policy.resetAfterMs) this.failures = 0;
    const delay = Math.min(this.policy.maxMs, this.policy.initialMs * 2 ** this.failures);
    this.failures += 1;
    return delay;
  }

  /** Deaths in a row so far (the restarts logged with each). */
  get consecutive(): number {
    return this.failures;
  }
}
