import { DEFAULT_OPERATION_LIMITS } from '../../lib/limits/settings.js';
import type { AuditBenchResult } from '../audit-writer.js';
import type { Scenario } from './fleet.js';
import type { CellResult } from './measure.js';

/** Rounds averaged into one figure per workload and scenario, and the ratios between scenarios. */
export interface Aggregate {
  readonly workload: string;
  readonly scenario: Scenario['id'];
  readonly rounds: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly recordsPerRequest: number;
  readonly recordsPerSecond: number;
  readonly auditEntriesPerSecond: number;
  readonly auditEntriesPerRequest: number;
  readonly sqlPerRequest: number | null;
  readonly failedRequests: number;
  readonly probeErrors: number;
  readonly cpuCores: Readonly<Record<string, number>>;
  readonly peakRssMb: Readonly<Record<string, number | null>>;
}

export interface Ratios {
  readonly workload: string;
  /** Throughput and p99 of (b) Tributary over each other scenario (null when one is missing). */
  readonly throughput: Readonly<Partial<Record<Scenario['id'], number | null>>>;
  readonly p99: Readonly<Partial<Record<Scenario['id'], number | null>>>;
}

export interface Target {
  readonly name: string;
  readonly goal: string;
  readonly measured: string;
  readonly met: boolean | null;
}

const mean = (values: readonly number[]): number => (values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length);

export function aggregate(cells: readonly CellResult[]): Aggregate[] {
  const groups = new Map<string, CellResult[]>();
  for (const cell of cells) {
    const key = `${cell.workload}\u0000${cell.scenario}`;
    groups.set(key, [...(groups.get(key) ?? []), cell]);
  }
  return [...groups.values()].map((group) => {
    const first = group[0] as CellResult;
    const processes = Object.keys(first.usage);
    const sql = group.map((cell) => cell.sqlPerRequest).filter((value): value is number => value !== null);
    const requestsPerSecond = mean(group.map((cell) => cell.requestsPerSecond));
    return {
      workload: first.workload,
      scenario: first.scenario,
      rounds: group.length,
      requestsPerSecond,
      p50Ms: mean(group.map((cell) => cell.load.latencyMs.p50)),
      p99Ms: mean(group.map((cell) => cell.load.latencyMs.p99)),
      recordsPerRequest: first.recordsPerRequest,
      recordsPerSecond: requestsPerSecond * first.recordsPerRequest,
      auditEntriesPerSecond: mean(group.map((cell) => cell.auditEntriesPerSecond)),
      auditEntriesPerRequest: mean(group.map((cell) => cell.auditEntriesPerRequest)),
      sqlPerRequest: sql.length === 0 ? null : mean(sql),
      failedRequests: group.reduce((sum, cell) => sum + cell.load.non2xx + cell.load.errors + cell.load.timeouts, 0),
      probeErrors: first.probeErrors,
      cpuCores: Object.fromEntries(processes.map((name) => [name, mean(group.map((cell) => cell.usage[name]?.cpuCores ?? 0))])),
      peakRssMb: Object.fromEntries(
        processes.map((name) => {
          const peaks = group.map((cell) => cell.usage[name]?.peakRssMb).filter((value): value is number => typeof value === 'number');
          return [name, peaks.length === 0 ? null : Math.max(...peaks)];
        }),
      ),
    };
  });
}

export function ratios(aggregates: readonly Aggregate[], workloads: readonly string[]): Ratios[] {
  const find = (workload: string, scenario: Scenario['id']): Aggregate | undefined =>
    aggregates.find((entry) => entry.workload === workload && entry.scenario === scenario);
  return workloads.map((workload) => {
    const tributary = find(workload, 'tributary');
    const throughput: Partial<Record<Scenario['id'], number | null>> = {};
    const p99: Partial<Record<Scenario['id'], number | null>> = {};
    for (const other of ['apollo', 'hive', 'hive-rust', 'plain'] as const) {
      const baseline = find(workload, other);
      throughput[other] = tributary && baseline && baseline.requestsPerSecond > 0 ? tributary.requestsPerSecond / baseline.requestsPerSecond : null;
      // A cell that answered nothing in its window has no latency (autocannon reports 0): no ratio.
      const answered = tributary && baseline && tributary.requestsPerSecond > 0 && baseline.requestsPerSecond > 0;
      p99[other] = answered && baseline.p99Ms > 0 ? tributary.p99Ms / baseline.p99Ms : null;
    }
    return { workload, throughput, p99 };
  });
}

export function targets(aggregates: readonly Aggregate[], ratioRows: readonly Ratios[], audit: readonly AuditBenchResult[]): Target[] {
  const at100 = ratioRows.find((row) => row.workload === 'list-100');
  const throughput = at100?.throughput.apollo ?? null;
  const p99 = at100?.p99.apollo ?? null;
  // Per page: N = 1,000 is two aliased pages of 500, each its own list query and releases.
  const sqlByN = aggregates
    .filter((entry) => entry.scenario === 'tributary' && entry.workload.startsWith('list-'))
    .map((entry) => ({ n: Number(entry.workload.slice(5)), sql: entry.sqlPerRequest }))
    .filter((entry): entry is { n: number; sql: number } => entry.sql !== null)
    .map((entry) => ({ ...entry, perPage: entry.sql / Math.ceil(entry.n / DEFAULT_OPERATION_LIMITS.maxPageSize) }))
    .sort((a, b) => a.n - b.n);
  const perPage = sqlByN.map((entry) => entry.perPage);
  // "Constant in N": within 1.5x from N = 1 to 1,000 (group commit makes it vary a little with
  // concurrency; one statement per record would grow it 10x per step).
  const sqlConstant = perPage.length < 2 ? null : Math.max(...perPage) <= 1.5 * Math.min(...perPage);
  const bestAudit = audit.length === 0 ? null : Math.max(...audit.map((result) => result.entriesPerSecond));
  // Results written before events existed have no events/s.
  const events = audit.map((result) => result.eventsPerSecond).filter((value) => Number.isFinite(value));
  const bestEvents = events.length === 0 ? null : Math.max(...events);
  // Issue 12's request-path figure: CPU per record of the writer's process and PostgreSQL's together.
  const leastCpu = audit.length === 0 ? null : Math.min(...audit.map((result) => (result.entries === 0 ? Infinity : (result.nodeCpuCores * result.seconds * 1e6) / result.entries) + result.postgresMicrosPerEntry));
  const fixed = (value: number | null, digits = 2): string => (value === null ? 'n/a' : value.toFixed(digits));
  return [
    { name: 'throughput at N = 100', goal: '(b)/(a) ≥ 0.9', measured: `${fixed(throughput)}×`, met: throughput === null ? null : throughput >= 0.9 },
    { name: 'p99 at N = 100', goal: '(b)/(a) ≤ 1.2', measured: `${fixed(p99)}×`, met: p99 === null ? null : p99 <= 1.2 },
    {
      name: 'audit writer, durable',
      goal: '≥ 50,000 entries/s',
      measured: bestAudit === null ? 'n/a' : `${Math.round(bestAudit).toLocaleString('en-US')} entries/s`,
      met: bestAudit === null ? null : bestAudit >= 50_000,
    },
    {
      name: 'audit writer, durable (issue 12)',
      goal: '≥ 200,000 records/s and ≥ 5,000 events/s',
      measured:
        bestAudit === null || bestEvents === null
          ? 'n/a'
          : `${Math.round(bestAudit).toLocaleString('en-US')} records/s, ${Math.round(bestEvents).toLocaleString('en-US')} events/s (best configs)`,
      met: bestAudit === null || bestEvents === null ? null : bestAudit >= 200_000 && bestEvents >= 5_000,
    },
    {
      name: 'audit CPU per record (issue 12)',
      goal: '≤ 3 µs, Node and PostgreSQL together',
      measured: leastCpu === null ? 'n/a' : `${leastCpu.toFixed(1)} µs (least of the writer configs)`,
      met: leastCpu === null ? null : leastCpu <= 3,
    },
    {
      name: 'SQL round trips per request constant in N',
      goal: '(b) flat per page of 500, N = 1 to 1,000',
      measured: sqlByN.map((entry) => `N=${entry.n}: ${entry.perPage.toFixed(1)}`).join(', ') || 'n/a',
      met: sqlConstant,
    },
  ];
}
