import type { Scenario } from './fleet.js';
import { table } from './markdown.js';
import { MEMORY_WORKLOAD, RSS_LIMIT_MB, type Check, type MemoryRow, type WorkloadTargets } from './targets.js';

/** The report's per-workload goals and memory tables (see targets.ts for the goals). */

const ratio = (check: Check): string => (check.value === null ? '–' : `${check.value.toFixed(2)}×`);

function verdict(check: Check): string {
  if (check.goal === null) return '';
  const goal = `${check.goal.kind === 'min' ? '≥' : '≤'} ${check.goal.bound}`;
  return `${goal}: ${check.met === null ? 'n/a' : check.met ? 'met' : '**not met**'}`;
}

export function renderWorkloadTargets(rows: readonly WorkloadTargets[], title: (id: string) => string): string {
  return table(
    ['workload', 'req/s (b)/(d)', 'target', 'p99 (b)/(d)', 'target', 'req/s (b)/(a)', 'target', 'p99 (b)/(a)', 'target'],
    rows.map((row) => [
      title(row.workload),
      ratio(row.throughputVsPlain),
      verdict(row.throughputVsPlain),
      ratio(row.p99VsPlain),
      verdict(row.p99VsPlain),
      ratio(row.throughputVsApollo),
      verdict(row.throughputVsApollo),
      ratio(row.p99VsApollo),
      verdict(row.p99VsApollo),
    ]),
  );
}

export function renderMemory(rows: readonly MemoryRow[], label: (id: Scenario['id']) => string): string {
  if (rows.length === 0) return `(${MEMORY_WORKLOAD} was not run)`;
  return table(
    ['scenario', 'process', 'peak RSS MB', 'target'],
    rows.map((row) => [
      label(row.scenario),
      row.process === 'gateway' ? 'gateway' : 'subgraph set',
      row.peakRssMb === null ? '–' : String(Math.round(row.peakRssMb)),
      row.judged ? `< ${RSS_LIMIT_MB}: ${row.met === null ? 'n/a' : row.met ? 'met' : '**not met**'}` : '',
    ]),
  );
}
