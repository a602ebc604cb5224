import { lockChain } from '../audit/chain-rows.js';
import type { Store } from '../store/index.js';
import type { HealthReport } from './http.js';

/**
 * Liveness (`/health`): the process is up and its event loop answers. It asks nothing of any
 * dependency on purpose: an orchestrator restarts a service whose liveness fails, and
 * restarting cannot bring a database back (it would only turn one outage into a restart loop).
 */
export const liveness = async (): Promise<HealthReport> => ({ ok: true, checks: { process: 'ok' } });

export interface ReadinessDependencies {
  /** The service's records; absent for the gateway, which keeps none. */
  readonly store?: Store;
  readonly auditStore: Store;
  /** The audit chain this service appends to. */
  readonly chain: string;
}

/**
 * Readiness (`/ready`): whether this service can answer right now, so that an orchestrator sends
 * it traffic only then (503 names the failing check). A service that cannot audit releases
 * nothing (fail closed), so it is not ready either:
 * - `store`: its records' store answers;
 * - `audit`: an append could start: the append path's own first step (lock the chain, read its
 *   head) succeeds, with the privileges appends have, in a transaction that writes nothing;
 * - `factCopies`: copies of other agencies' policy facts are fresh. None exist yet (the
 *   agencies-apart work adds them, with their lag); the check is reported as such, not faked.
 */
export function readiness(dependencies: ReadinessDependencies): () => Promise<HealthReport> {
  return async () => {
    const checks: Record<string, string> = {};
    const probes: Promise<void>[] = [];
    if (dependencies.store) {
      const { store } = dependencies;
      probes.push(check(checks, 'store', () => store.query({ text: 'SELECT 1', values: [] })));
    }
    probes.push(check(checks, 'audit', () => dependencies.auditStore.transaction((tx) => lockChain(tx, dependencies.chain))));
    await Promise.all(probes);
    checks.factCopies = 'none';
    return { ok: Object.values(checks).every((value) => value === 'ok' || value === 'none'), checks };
  };
}

/** Longest a probe may take: an orchestrator's probe times out after a few seconds, and a hung store is not ready. */
const PROBE_TIMEOUT_MS = 2_000;

async function check(checks: Record<string, string>, name: string, probe: () => Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), PROBE_TIMEOUT_MS)));
  try {
    const result = await Promise.race([probe().then(() => 'ok' as const), timeout]);
    checks[name] = result === 'ok' ? 'ok' : 'timed out';
  } catch {
    checks[name] = 'unreachable';
  } finally {
    clearTimeout(timer);
  }
}
