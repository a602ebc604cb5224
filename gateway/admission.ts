import type { AdmissionSettings } from '../lib/config.js';

/** Why a request was not admitted. */
export type ShedReason =
  /** Every place was taken and the queue was full: refused at once. */
  | 'queue_full'
  /** It waited `maxQueueWaitMs` in the queue without getting a place. */
  | 'queue_timeout'
  /** Its client went away while it waited (nobody to answer; never counted as served). */
  | 'disconnected';

export type Admission =
  | {
      readonly admitted: true;
      /** Milliseconds spent in the queue before the place was given (0 when one was free). */
      readonly queuedMs: number;
      /** Gives the place back; the next request in the queue takes it. Safe to call twice. */
      readonly release: () => void;
    }
  | { readonly admitted: false; readonly reason: ShedReason; readonly queuedMs: number };

interface Waiter {
  readonly since: number;
  readonly settle: (admission: Admission) => void;
}

/**
 * Admission control for one gateway process: at most `maxInFlight` requests execute at once,
 * at most `maxQueue` more wait for a place, in arrival order, for at most `maxQueueWaitMs`;
 * anything beyond is refused at once. A gateway past its capacity only gets slower for
 * everyone (every request shares the same CPU and the same subgraphs, and an answer that
 * arrives after the client's timeout is work thrown away), so the requests it admits keep
 * near their unloaded latency and the rest are told to retry, cheaply, without waiting.
 *
 * Deciding costs no I/O: the verdict for a request that finds the queue full is given in the
 * same tick. Each admitted request keeps its place until it releases it; a client that
 * disconnects while queued leaves the queue at once, so a place never goes to nobody.
 * `maxInFlight` 0 turns admission control off (every request is admitted, nothing is counted).
 */
export class AdmissionControl {
  private running = 0;
  /** Insertion-ordered: the first entry is the request that has waited longest. */
  private readonly waiting = new Set<Waiter>();
  private readonly settings: AdmissionSettings;
  private readonly now: () => number;

  constructor(settings: AdmissionSettings, now: () => number = () => performance.now()) {
    for (const [name, value] of Object.entries(settings)) {
      if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`AdmissionControl: ${name} must be a whole number >= 0, got ${String(value)}`);
    }
    this.settings = settings;
    this.now = now;
  }

  get enabled(): boolean {
    return this.settings.maxInFlight > 0;
  }

  /** Requests holding a place now. */
  get inFlight(): number {
    return this.running;
  }

  /** Requests waiting for a place now. */
  get queued(): number {
    return this.waiting.size;
  }

  /**
   * Asks for a place for one request. Resolves at once when a place is free (admitted) or the
   * queue is full (refused); otherwise when a place frees up, the wait runs out, or `gone`
   * aborts (the client disconnected).
   */
  enter(gone: AbortSignal): Promise<Admission> {
    if (!this.enabled) return Promise.resolve({ admitted: true, queuedMs: 0, release: () => undefined });
    if (gone.aborted) return Promise.resolve({ admitted: false, reason: 'disconnected', queuedMs: 0 });
    if (this.running < this.settings.maxInFlight) return Promise.resolve(this.admit(0));
    if (this.waiting.size >= this.settings.maxQueue) return Promise.resolve({ admitted: false, reason: 'queue_full', queuedMs: 0 });

    return new Promise<Admission>((resolve) => {
      const since = this.now();
      const leave = (reason: ShedReason): void => {
        // Already admitted (or already gone): nothing to undo.
        if (!this.waiting.delete(waiter)) return;
        clearTimeout(timer);
        gone.removeEventListener('abort', onAbort);
        resolve({ admitted: false, reason, queuedMs: this.now() - since });
      };
      const onAbort = (): void => leave('disconnected');
      const waiter: Waiter = {
        since,
        settle: (admission) => {
          clearTimeout(timer);
          gone.removeEventListener('abort', onAbort);
          resolve(admission);
        },
      };
      const timer = setTimeout(() => leave('queue_timeout'), this.settings.maxQueueWaitMs);
      // A queued request must not keep a stopping process alive; its HTTP connection does that.
      timer.unref();
      gone.addEventListener('abort', onAbort, { once: true });
      this.waiting.add(waiter);
    });
  }

  private admit(queuedMs: number): Admission {
    this.running += 1;
    let released = false;
    return {
      admitted: true,
      queuedMs,
      release: () => {
        if (released) return;
        released = true;
        this.running -= 1;
        this.handOn();
      },
    };
  }

  /** Gives free places to the requests that have waited longest. */
  private handOn(): void {
    for (const waiter of this.waiting) {
      if (this.running >= this.settings.maxInFlight) return;
      this.waiting.delete(waiter);
      waiter.settle(this.admit(this.now() - waiter.since));
    }
  }
}
