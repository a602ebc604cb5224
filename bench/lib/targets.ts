import type { Scenario } from './fleet.js';
import type { Aggregate, Ratios, Target } from './summary.js';

/**
 * Issue 15's goals, checked per workload beside each ratio: (b) Tributary against (d) the
 * plain federation (≥ 0.9× its throughput at N = 10 and 100, p99 ≤ 1.3×) and against (a) its
 * own subgraphs with protection off (≥ 0.9× everywhere; p99 ≤ 1.2× at N = 100, issue 6's goal),
 * and RSS per process under load at N = 1,000 (< 300 MB). Checked in the bench, never in timed
 * tests: a loaded machine moves them.
 */

/** One ratio with its goal (when the workload has one) and whether it was met. */
export interface Check {
  readonly value: number | null;
  /** `min`: the ratio must be at least `bound` (throughput); `max`: at most (p99). */
  readonly goal: { readonly kind: 'min' | 'max'; readonly bound: number } | null;
  /** null: no goal here, or a scenario missing. */
  readonly met: boolean | null;
}

export interface WorkloadTargets {
  readonly workload: string;
  readonly throughputVsPlain: Check;
  readonly p99VsPlain: Check;
  readonly throughputVsApollo: Check;
  readonly p99VsApollo: Check;
}

export interface MemoryRow {
  readonly scenario: Scenario['id'];
  readonly process: 'gateway' | 'subgraphs';
  readonly peakRssMb: number | null;
  /** The goal is Tributary's, so only (b)'s processes are judged; the others are shown beside them. */
  readonly judged: boolean;
  readonly met: boolean | null;
}

export const RSS_LIMIT_MB = 300;
/** The workload under which memory is judged: the largest answers. */
export const MEMORY_WORKLOAD = 'list-1000';

const PLAIN_WORKLOADS = new Set(['list-10', 'list-100']);

function check(value: number | null | undefined, goal: Check['goal']): Check {
  const measured = value ?? null;
  const met = goal === null || measured === null ? null : goal.kind === 'min' ? measured >= goal.bound : measured <= goal.bound;
  return { value: measured, goal, met };
}

export function workloadTargets(ratioRows: readonly Ratios[]): WorkloadTargets[] {
  return ratioRows.map((row) => {
    const vsPlain = PLAIN_WORKLOADS.has(row.workload);
    return {
      workload: row.workload,
      throughputVsPlain: check(row.throughput.plain, vsPlain ? { kind: 'min', bound: 0.9 } : null),
      p99VsPlain: check(row.p99.plain, vsPlain ? { kind: 'max', bound: 1.3 } : null),
      throughputVsApollo: check(row.throughput.apollo, { kind: 'min', bound: 0.9 }),
      p99VsApollo: check(row.p99.apollo, row.workload === 'list-100' ? { kind: 'max', bound: 1.2 } : null),
    };
  });
}

/** Peak RSS of every gateway and subgraph-set process during the N = 1,000 cells. */
export function memoryRows(aggregates: readonly Aggregate[], scenarios: readonly Scenario[]): MemoryRow[] {
  return scenarios.flatMap((scenario) => {
    const cell = aggregates.find((entry) => entry.workload === MEMORY_WORKLOAD && entry.scenario === scenario.id);
    if (!cell) return [];
    return (['gateway', 'subgraphs'] as const).map((process) => {
      const peak = cell.peakRssMb[process] ?? null;
      const judged = scenario.id === 'tributary';
      return { scenario: scenario.id, process, peakRssMb: peak, judged, met: !judged || peak === null ? null : peak < RSS_LIMIT_MB };
    });
  });
}

const fixed = (value: number | null): string => (value === null ? 'n/a' : `${value.toFixed(2)}×`);
const allMet = (checks: readonly Check[]): boolean | null => (checks.length === 0 || checks.some((c) => c.met === null) ? null : checks.every((c) => c.met === true));

/** The same goals summed up, one line each, for the report's `## Targets` table. */
export function issue15Targets(rows: readonly WorkloadTargets[], memory: readonly MemoryRow[]): Target[] {
  const at = (workload: string): WorkloadTargets | undefined => rows.find((row) => row.workload === workload);
  const plain = (pick: (row: WorkloadTargets) => Check, goal: string, name: string): Target => {
    const measured = ['list-10', 'list-100'].map((id) => ({ id, row: at(id) }));
    return {
      name,
      goal,
      measured: measured.map(({ id, row }) => `${id.replace('list-', 'N=')}: ${fixed(row ? pick(row).value : null)}`).join(', '),
      met: allMet(measured.flatMap(({ row }) => (row ? [pick(row)] : []))),
    };
  };
  const apollo = rows.map((row) => row.throughputVsApollo).filter((c) => c.value !== null);
  const lowest = apollo.length === 0 ? null : Math.min(...apollo.map((c) => c.value ?? Infinity));
  const lowestAt = rows.find((row) => row.throughputVsApollo.value === lowest)?.workload;
  const rss = memory.filter((row) => row.judged && row.peakRssMb !== null);
  const highest = rss.length === 0 ? null : Math.max(...rss.map((row) => row.peakRssMb ?? 0));
  const highestAt = rss.find((row) => row.peakRssMb === highest);
  return [
    plain((row) => row.throughputVsPlain, '(b)/(d) ≥ 0.9', 'throughput against the plain federation, N = 10 and 100'),
    plain((row) => row.p99VsPlain, '(b)/(d) ≤ 1.3', 'p99 against the plain federation, N = 10 and 100'),
    {
      name: 'throughput against protection off, every workload',
      goal: '(b)/(a) ≥ 0.9',
      measured: lowest === null ? 'n/a' : `lowest ${fixed(lowest)} (${lowestAt ?? '?'})`,
      met: allMet(apollo),
    },
    {
      name: `RSS per process of (b) under load, ${MEMORY_WORKLOAD}`,
      goal: `< ${RSS_LIMIT_MB} MB`,
      measured: highest === null ? 'n/a' : `highest ${Math.round(highest)} MB (${highestAt?.process ?? '?'})`,
      met: rss.length === 0 ? null : rss.every((row) => row.met === true),
    },
  ];
}
