import { describe, expect, it } from 'vitest';
import { SCENARIOS } from '../../bench/lib/fleet.js';
import type { Aggregate, Ratios } from '../../bench/lib/summary.js';
import { issue15Targets, memoryRows, workloadTargets } from '../../bench/lib/targets.js';

// Issue 15's goals as the bench report checks them: each ratio beside its goal, met or not.

const ratio = (workload: string, plain: number | null, apollo: number | null, p99Plain: number | null = 1, p99Apollo: number | null = 1): Ratios => ({
  workload,
  throughput: { plain, apollo },
  p99: { plain: p99Plain, apollo: p99Apollo },
});

const cell = (scenario: Aggregate['scenario'], gateway: number, subgraphs: number): Aggregate => ({
  workload: 'list-1000',
  scenario,
  rounds: 1,
  requestsPerSecond: 1,
  p50Ms: 1,
  p99Ms: 1,
  recordsPerRequest: 1,
  recordsPerSecond: 1,
  auditEntriesPerSecond: 0,
  auditEntriesPerRequest: 0,
  sqlPerRequest: null,
  failedRequests: 0,
  probeErrors: 0,
  cpuCores: {},
  peakRssMb: { gateway, subgraphs },
});

describe('issue 15 targets in the bench report', () => {
  it.each([
    // workload, (b)/(d), (b)/(a), p99 (b)/(d): goals met?
    { workload: 'list-10', plain: 0.95, apollo: 0.92, p99: 1.2, vsPlain: true, vsApollo: true, p99Met: true },
    { workload: 'list-100', plain: 0.5, apollo: 0.89, p99: 2, vsPlain: false, vsApollo: false, p99Met: false },
    // N = 1 and the others have no (b)/(d) goal, only (b)/(a) ≥ 0.9.
    { workload: 'list-1', plain: 0.1, apollo: 0.9, p99: 5, vsPlain: null, vsApollo: true, p99Met: null },
    { workload: 'mutation', plain: 0.1, apollo: 0.5, p99: 5, vsPlain: null, vsApollo: false, p99Met: null },
  ])('$workload: (b)/(d) $plain, (b)/(a) $apollo', ({ workload, plain, apollo, p99, vsPlain, vsApollo, p99Met }) => {
    const [row] = workloadTargets([ratio(workload, plain, apollo, p99)]);
    expect(row?.throughputVsPlain.met).toBe(vsPlain);
    expect(row?.throughputVsApollo.met).toBe(vsApollo);
    expect(row?.p99VsPlain.met).toBe(p99Met);
  });

  it('cannot judge a ratio whose scenario is missing', () => {
    const [row] = workloadTargets([ratio('list-10', null, null)]);
    expect(row?.throughputVsPlain).toEqual({ value: null, goal: { kind: 'min', bound: 0.9 }, met: null });
  });

  it('judges RSS under 300 MB for (b) only, and shows the other scenarios beside it', () => {
    const memory = memoryRows([cell('tributary', 200, 310), cell('plain', 500, 500)], SCENARIOS);
    expect(memory.map((row) => [row.scenario, row.process, row.met])).toEqual([
      ['tributary', 'gateway', true],
      ['tributary', 'subgraphs', false],
      ['plain', 'gateway', null],
      ['plain', 'subgraphs', null],
    ]);
    const summary = issue15Targets(workloadTargets([ratio('list-10', 0.95, 0.95), ratio('list-100', 0.91, 0.95)]), memory);
    expect(summary.map((target) => target.met)).toEqual([true, true, true, false]);
    expect(summary[3]?.measured).toBe('highest 310 MB (subgraphs)');
  });
});
