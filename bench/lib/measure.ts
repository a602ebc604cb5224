import { sql, type Queryable } from '../../lib/store/index.js';
import type { Fleet, Scenario } from './fleet.js';
import type { LoadMethods, LoadRequest, LoadResult } from './load-spec.js';
import { UsageMeter, type ProcessUsage } from './proc-stats.js';
import type { Child } from './rpc.js';
import { countRecords, type Workload } from './workloads.js';

/** One workload against one scenario, once: what the table is made of. */
export interface CellResult {
  readonly workload: string;
  readonly scenario: Scenario['id'];
  readonly round: number;
  readonly load: LoadResult;
  readonly requestsPerSecond: number;
  /** Records in one response (measured on a probe request before the load). */
  readonly recordsPerRequest: number;
  readonly recordsPerSecond: number;
  /** Responses of the probe that carried `errors` (REDACTED fields count). */
  readonly probeErrors: number;
  readonly auditEntriesPerSecond: number;
  readonly auditEntriesPerRequest: number;
  /** SQL statements (BEGIN and COMMIT included) per request, over every process of the scenario; null when none has a store. */
  readonly sqlPerRequest: number | null;
  /** By process: gateway, subgraphs, load generator, postgres (the bench database's backends). */
  readonly usage: Readonly<Record<string, ProcessUsage>>;
}

export interface CellSetup {
  readonly fleet: Fleet;
  readonly load: Child<LoadMethods>;
  /** The run's database, for counting audit entries. */
  readonly store: Queryable;
  readonly databaseName: string;
  readonly connections: number;
  readonly warmupSeconds: number;
  readonly seconds: number;
}

/** Audit entries ever appended, over every chain: the sum of chain heads (a few index probes). */
async function auditEntries(store: Queryable): Promise<number> {
  const [row] = await store.query(sql`SELECT coalesce(sum(head_seq), 0)::bigint AS n FROM audit.chain_heads()`);
  return Number(row?.['n'] ?? 0);
}

async function probe(url: string, requests: readonly LoadRequest[]): Promise<{ records: number; errors: number }> {
  let records = 0;
  let errors = 0;
  for (const request of requests) {
    const response = await fetch(url, { method: 'POST', headers: { ...request.headers, 'content-type': 'application/json' }, body: request.body });
    const body: unknown = await response.json();
    if (!response.ok) throw new Error(`probe answered HTTP ${response.status}: ${JSON.stringify(body).slice(0, 300)}`);
    records += countRecords(body);
    if (typeof body === 'object' && body !== null && 'errors' in body) errors += 1;
  }
  return { records: records / requests.length, errors };
}

export async function measureCell(setup: CellSetup, scenario: Scenario, workload: Workload, round: number, requests: readonly LoadRequest[]): Promise<CellResult> {
  const gateway = setup.fleet.servers.get(scenario.gateway);
  const subgraphs = setup.fleet.servers.get(scenario.subgraphs);
  if (!gateway || !subgraphs) throw new Error(`${scenario.id} is not running`);
  const spec = { url: gateway.url, connections: workload.connections ?? setup.connections, timeoutSeconds: 60, requests };
  // The probe counts the records of an answer and is the first part of the warm-up.
  const probeStarted = performance.now();
  const sample = await probe(gateway.url, requests);
  const warmup = setup.warmupSeconds - (performance.now() - probeStarted) / 1000;
  if (warmup > 0.1) await setup.load.call('run', { ...spec, seconds: warmup });

  const roundTrips = async (): Promise<number | null> => {
    const stats = await Promise.all([gateway, subgraphs].map((server) => server.child.call('stats', null)));
    const counted = stats.map((stat) => stat.roundTrips).filter((trips): trips is number => trips !== null);
    return counted.length === 0 ? null : counted.reduce((sum, trips) => sum + trips, 0);
  };
  const meter = new UsageMeter({ gateway: gateway.child.pid, subgraphs: subgraphs.child.pid, load: setup.load.pid }, setup.databaseName);
  const [tripsBefore, auditBefore] = await Promise.all([roundTrips(), auditEntries(setup.store)]);
  meter.begin();
  const load = await setup.load.call('run', { ...spec, seconds: setup.seconds * (workload.timeFactor ?? 1) });
  const usage = meter.end();
  const [tripsAfter, auditAfter] = await Promise.all([roundTrips(), auditEntries(setup.store)]);

  const requestsDone = Math.max(1, load.ok + load.non2xx);
  const requestsPerSecond = load.ok / load.seconds;
  return {
    workload: workload.id,
    scenario: scenario.id,
    round,
    load,
    requestsPerSecond,
    recordsPerRequest: sample.records,
    recordsPerSecond: requestsPerSecond * sample.records,
    probeErrors: sample.errors,
    auditEntriesPerSecond: (auditAfter - auditBefore) / load.seconds,
    auditEntriesPerRequest: (auditAfter - auditBefore) / requestsDone,
    sqlPerRequest: tripsBefore === null || tripsAfter === null ? null : (tripsAfter - tripsBefore) / requestsDone,
    usage,
  };
}
