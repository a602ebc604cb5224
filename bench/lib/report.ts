import type { AuditBenchResult } from '../audit-writer.js';
import { SCENARIOS, type Scenario } from './fleet.js';
import { table } from './markdown.js';
import { renderMemory, renderWorkloadTargets } from './render-targets.js';
import type { Aggregate, Ratios, Target } from './summary.js';
import type { MemoryRow, WorkloadTargets } from './targets.js';
import type { Workload } from './workloads.js';

/** What a run measured, as one JSON document (bench/results/latest.json) and one markdown page. */
export interface Report {
  readonly meta: {
    readonly date: string;
    readonly mode: 'quick' | 'full';
    readonly machine: string;
    readonly loadAverageAtStart: readonly number[];
    readonly node: string;
    readonly postgres: string;
    readonly scale: string;
    readonly seededRows: Readonly<Record<string, number>>;
    readonly connections: number;
    readonly warmupSeconds: number;
    readonly seconds: number;
    readonly rounds: number;
    readonly servers: Readonly<Record<string, string>>;
    readonly skipped: Readonly<Record<string, string>>;
    readonly wallSeconds: number;
  };
  readonly aggregates: readonly Aggregate[];
  readonly ratios: readonly Ratios[];
  readonly audit: readonly AuditBenchResult[];
  readonly targets: readonly Target[];
  /** Issue 15's goals beside each workload's ratios (targets.ts). */
  readonly workloadTargets: readonly WorkloadTargets[];
  /** Peak RSS per gateway and subgraph-set process at N = 1,000. */
  readonly memory: readonly MemoryRow[];
  readonly profile: string | null;
  readonly profiledWorkload: string | null;
}

const n0 = (value: number): string => Math.round(value).toLocaleString('en-US');
/** Rates: one decimal below 10, so that slow cells still compare. */
const rate = (value: number): string => (value < 10 ? value.toFixed(1) : n0(value));
const n1 = (value: number | null): string => (value === null ? '–' : value.toFixed(1));
const n2 = (value: number | null | undefined): string => (value === null || value === undefined ? '–' : value.toFixed(2));
const short = (id: Scenario['id']): string =>
  ({ apollo: '(a) Apollo', tributary: '(b) Tributary', hive: '(c) Hive', 'hive-rust': '(c) Hive+Rust', plain: '(d) plain' })[id];

export function renderMarkdown(report: Report, workloads: readonly Workload[]): string {
  const { meta } = report;
  const title = (id: string): string => workloads.find((workload) => workload.id === id)?.title ?? id;
  const order = (a: Aggregate, b: Aggregate): number =>
    workloads.findIndex((w) => w.id === a.workload) - workloads.findIndex((w) => w.id === b.workload) ||
    SCENARIOS.findIndex((s) => s.id === a.scenario) - SCENARIOS.findIndex((s) => s.id === b.scenario);
  const rows = [...report.aggregates].sort(order);

  const main = table(
    ['workload', 'scenario', 'req/s', 'p50 ms', 'p99 ms', 'records/req', 'records/s', 'audit entries/s', 'SQL/req', 'CPU gw', 'CPU subgraphs', 'CPU pg', 'CPU load', 'RSS gw MB', 'RSS subgraphs MB', 'failed'],
    rows.map((row) => [
      title(row.workload),
      short(row.scenario),
      rate(row.requestsPerSecond),
      n1(row.p50Ms),
      n1(row.p99Ms),
      n1(row.recordsPerRequest),
      n0(row.recordsPerSecond),
      n0(row.auditEntriesPerSecond),
      n1(row.sqlPerRequest),
      n2(row.cpuCores['gateway']),
      n2(row.cpuCores['subgraphs']),
      n2(row.cpuCores['postgres']),
      n2(row.cpuCores['load']),
      n0(row.peakRssMb['gateway'] ?? 0),
      n0(row.peakRssMb['subgraphs'] ?? 0),
      String(row.failedRequests),
    ]),
  );

  const ratioTable = table(
    ['workload', 'req/s (b)/(d)', 'p99 (b)/(d)', 'req/s (b)/(a)', 'p99 (b)/(a)', 'req/s (b)/(c)', 'p99 (b)/(c)', 'req/s (b)/(c Rust)', 'p99 (b)/(c Rust)'],
    report.ratios.map((row) => [
      title(row.workload),
      n2(row.throughput.plain),
      n2(row.p99.plain),
      n2(row.throughput.apollo),
      n2(row.p99.apollo),
      n2(row.throughput.hive),
      n2(row.p99.hive),
      n2(row.throughput['hive-rust']),
      n2(row.p99['hive-rust']),
    ]),
  );

  // CPU a request costs, by process: cores busy divided by requests per second.
  const perRequest = (row: Aggregate | undefined, process: string): number | null =>
    row && row.requestsPerSecond > 0 ? ((row.cpuCores[process] ?? 0) / row.requestsPerSecond) * 1000 : null;
  const servingMs = (row: Aggregate | undefined): number | null => {
    const parts = ['gateway', 'subgraphs', 'postgres'].map((process) => perRequest(row, process));
    return parts.some((part) => part === null) ? null : parts.reduce<number>((sum, part) => sum + (part ?? 0), 0);
  };
  const cpuTable = table(
    ['workload', '(d) ms/req', '(a) ms/req', '(b) ms/req', '(b)/(d)', '(b)/(a)', '(b) gateway', '(b) subgraphs', '(b) PostgreSQL', '(a) gateway', '(a) subgraphs', '(a) PostgreSQL'],
    report.ratios.map(({ workload }) => {
      const a = rows.find((row) => row.workload === workload && row.scenario === 'apollo');
      const b = rows.find((row) => row.workload === workload && row.scenario === 'tributary');
      const d = rows.find((row) => row.workload === workload && row.scenario === 'plain');
      const totalA = servingMs(a);
      const totalB = servingMs(b);
      const totalD = servingMs(d);
      return [
        title(workload),
        n1(totalD),
        n1(totalA),
        n1(totalB),
        totalD && totalB ? n2(totalB / totalD) : '–',
        totalA && totalB ? n2(totalB / totalA) : '–',
        n1(perRequest(b, 'gateway')),
        n1(perRequest(b, 'subgraphs')),
        n1(perRequest(b, 'postgres')),
        n1(perRequest(a, 'gateway')),
        n1(perRequest(a, 'subgraphs')),
        n1(perRequest(a, 'postgres')),
      ];
    }),
  );

  const lists = workloads.filter((workload) => workload.n !== null);
  const growth = table(
    ['scenario', ...lists.map((workload) => `p50 N=${workload.n}`), 'p50 growth N=1→1,000', ...lists.map((workload) => `SQL/req N=${workload.n}`)],
    SCENARIOS.map((scenario) => {
      const cells = lists.map((workload) => rows.find((row) => row.workload === workload.id && row.scenario === scenario.id));
      const first = cells[0]?.p50Ms;
      const last = cells[cells.length - 1]?.p50Ms;
      return [
        short(scenario.id),
        ...cells.map((cell) => n1(cell?.p50Ms ?? null)),
        first && last ? `${(last / first).toFixed(0)}×` : '–',
        ...cells.map((cell) => n1(cell?.sqlPerRequest ?? null)),
      ];
    }),
  );

  const audit = table(
    ['chains × appenders × entries/append', 'entries/s (durable)', 'events/s', 'transactions', 'entries/transaction', 'append p50 ms', 'append p99 ms', 'node CPU', 'pg CPU', 'node µs/entry', 'pg µs/entry', 'chain complete'],
    report.audit.map((result) => [
      `${result.chains ?? 1} × ${result.appenders} × ${result.entriesPerAppend}`,
      n0(result.entriesPerSecond),
      // Results written before events existed have no events/s.
      Number.isFinite(result.eventsPerSecond) ? n0(result.eventsPerSecond) : '–',
      n0(result.transactions),
      n0(result.entriesPerTransaction),
      n1(result.appendP50Ms),
      n1(result.appendP99Ms),
      n2(result.nodeCpuCores),
      n2(result.postgresCpuCores),
      // From the cores and time, which results written before nodeMicrosPerEntry also hold.
      n1(result.entries === 0 ? null : (result.nodeCpuCores * result.seconds * 1e6) / result.entries),
      n1(result.postgresMicrosPerEntry),
      result.chainComplete ? 'yes' : 'NO',
    ]),
  );

  const targetTable = table(
    ['target', 'goal', 'measured', 'met'],
    report.targets.map((target) => [target.name, target.goal, target.measured, target.met === null ? 'n/a' : target.met ? 'yes' : 'NO']),
  );

  const skipped = Object.entries(meta.skipped).map(([role, reason]) => `- ${role} did not start, its scenario is missing: ${reason}`);
  return [
    `# Tributary benchmark (${meta.mode})`,
    '',
    `${meta.date} · ${meta.machine} · load average at start ${meta.loadAverageAtStart.map((value) => value.toFixed(2)).join(' ')} · Node ${meta.node} · ${meta.postgres}`,
    `Seed scale ${meta.scale} (${Object.entries(meta.seededRows).map(([name, rows]) => `${name} ${n0(rows)}`).join(', ')}).`,
    `${meta.connections} connections, ${meta.warmupSeconds} s warm-up and ${meta.seconds} s measured per cell, ${meta.rounds} round(s) in alternating scenario order; whole run ${n0(meta.wallSeconds)} s.`,
    'Only ratios between scenarios of this one run mean anything: absolute figures depend on the machine and on what else it was doing. See bench/README.md.',
    ...(skipped.length > 0 ? ['', ...skipped] : []),
    '',
    '## Targets',
    '',
    targetTable,
    '',
    '## Targets per workload',
    '',
    '(b) Tributary over (d) the plain federation and over (a) its own subgraphs with protection off, each ratio beside its goal (issue 15; p99 at N = 100 against (a): issue 6). A cell that answered only a handful of requests in its window (req/s × seconds in `## Every cell`) gives no usable ratio: judge the goals on a full run.',
    '',
    renderWorkloadTargets(report.workloadTargets, title),
    '',
    '## Memory under load, list N = 1,000',
    '',
    'Peak RSS of each process while the cell was measured (/proc); the goal is (b)\'s, the other scenarios are shown beside it. A subgraph set runs all its subgraphs in one process, so its figure bounds each of its services; (a) and both (c) share set A, which grows over their cells.',
    '',
    renderMemory(report.memory, short),
    '',
    '## Ratios, (b) Tributary over each baseline',
    '',
    ratioTable,
    '',
    '## CPU per request, ms (gateway + subgraphs + PostgreSQL)',
    '',
    'Cores busy divided by requests per second: what one request costs the serving processes, whatever else the machine was doing.',
    '',
    cpuTable,
    '',
    '## Every cell',
    '',
    'CPU in cores (1.00 = one core busy for the whole window); CPU pg counts the backends of the run\'s database only; RSS is the peak while measuring.',
    '',
    main,
    '',
    '## Latency growth with N',
    '',
    growth,
    '',
    '## Audit writer alone (durable commits into PostgreSQL, one chain)',
    '',
    audit,
    ...(report.profile ? ['', `## CPU profiles of (a), (b) and (d), ${report.profiledWorkload ?? ''}`, '', report.profile] : []),
    '',
  ].join('\n');
}
