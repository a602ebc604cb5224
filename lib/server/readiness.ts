import { lockChain } from '../audit/chain-rows.js';
import type { CopyStatus } from '../facts/monitor.js';
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
  /** The copies of other agencies' policy facts this service reads (subgraphs only). */
  readonly factCopies?: () => readonly CopyStatus[];
}

/**
 * `none` (every owner shares this database, or a gateway), `ok` with each copy's lag, or
 * `stale` naming the copies past FACTS_MAX_LAG_MS. A stale copy does not make the service
 * unready: it still answers, with the restrictive value for that owner's facts (SPEC 5), and
 * taking it out of rotation would let one agency's outage stop another's service.
 */
export function describeFactCopies(copies: readonly CopyStatus[]): string {
  if (copies.length === 0) return 'none';
  const lag = (copy: CopyStatus): string => `${copy.owner} ${copy.lagSeconds === null ? 'no heartbeat' : `${copy.lagSeconds.toFixed(2)}s`}`;
  const stale = copies.filter((copy) => !copy.fresh);
  return stale.length === 0 ? `ok (${copies.map(lag).join(', ')})` : `stale (${stale.map(lag).join(', ')})`;
}

const FACT_COPIES = 'factCopies';

/**
 * Readiness (`/ready`): whether this service can answer right now, so that an orchestrator sends
 * it traffic only then (503 names the failing check). A service that cannot audit releases
 * nothing (fail closed), so it is not ready either:
 * - `store`: its records' store answers;
 * - `audit`: an append could start: the append path's own first step (lock the chain, read its
 *   head) succeeds, with the privileges appends have, in a transaction that writes nothing;
 * - `factCopies`: the copies of other agencies' policy facts and their lag (describeFactCopies);
 *   reported, never failing the probe.
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
    const ok = Object.values(checks).every((value) => value === 'ok');
    checks[FACT_COPIES] = describeFactCopies(dependencies.factCopies?.() ?? []);
    return { ok, checks };
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
