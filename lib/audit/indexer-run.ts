import type { Store } from '../store/index.js';
import { indexPass, type IndexerOptions, type PassResult } from './indexer.js';

/**
 * The indexer as the audit service runs it: a pass as soon as the previous one found work, else
 * every `intervalMs`, or at once when woken (the API wakes it before an auditor's query).
 */
export interface AuditIndexer {
  /** Starts a pass now if the indexer is idle (else right after the current one). */
  wake(): void;
  /** Resolves when a pass that started after this call has finished (or the indexer stopped). */
  nextPass(): Promise<void>;
  /** The last pass's result, or null before the first. */
  readonly lastPass: PassResult | null;
  stop(): Promise<void>;
}

export interface RunIndexerOptions extends IndexerOptions {
  /** Idle poll interval; default 50 ms, well inside the 2 s lag the SPEC allows. */
  readonly intervalMs?: number;
  readonly onError?: (error: unknown) => void;
}

const DEFAULT_INTERVAL_MS = 50;

/**
 * Indexers running in this process, by store: the API's wait (indexer-wait.ts) only has the
 * store its resolvers read, and must reach the indexer to wake it rather than poll blindly.
 */
const running = new WeakMap<Store, AuditIndexer>();

export const runningIndexer = (store: Store): AuditIndexer | undefined => running.get(store);

export function startIndexer(store: Store, options: RunIndexerOptions = {}): AuditIndexer {
  const intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
  let stopped = false;
  let lastPass: PassResult | null = null;
  let wakeUp: (() => void) | null = null;
  let woken = false;
  let waiting: (() => void)[] = [];

  const idle = () =>
    new Promise<void>((resolve) => {
      if (woken || stopped) return resolve();
      const timer = setTimeout(done, intervalMs);
      function done(): void {
        clearTimeout(timer);
        wakeUp = null;
        resolve();
      }
      wakeUp = done;
    });

  const loop = (async () => {
    while (!stopped) {
      woken = false;
      const served = waiting;
      waiting = [];
      let progressed = false;
      try {
        lastPass = await indexPass(store, options);
        progressed = lastPass.events > 0;
      } catch (error) {
        options.onError?.(error);
      }
      for (const resolve of served) resolve();
      // Work found: go again at once, the chain may have grown meanwhile.
      if (!progressed) await idle();
    }
    for (const resolve of waiting) resolve();
    waiting = [];
  })();

  const indexer: AuditIndexer = {
    wake() {
      woken = true;
      wakeUp?.();
    },
    nextPass() {
      if (stopped) return Promise.resolve();
      const passed = new Promise<void>((resolve) => waiting.push(resolve));
      indexer.wake();
      return passed;
    },
    get lastPass() {
      return lastPass;
    },
    async stop() {
      stopped = true;
      wakeUp?.();
      await loop;
      if (running.get(store) === indexer) running.delete(store);
    },
  };
  running.set(store, indexer);
  return indexer;
}
