import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuditBenchResult } from '../audit-writer.js';
import type { CellResult } from './measure.js';
import { renderMarkdown, type Report } from './report.js';
import { SCENARIOS } from './fleet.js';
import { aggregate, ratios, targets } from './summary.js';
import { issue15Targets, memoryRows, workloadTargets } from './targets.js';
import { WORKLOADS } from './workloads.js';

/** What a run measured, before any summing up: what bench/results/*.json keeps beside the report. */
export interface RunRecord {
  readonly meta: Report['meta'];
  readonly cells: readonly CellResult[];
  readonly audit: readonly AuditBenchResult[];
  readonly profile: string | null;
  readonly profiledWorkload: string | null;
}

export function buildReport(run: RunRecord): Report {
  const workloads = WORKLOADS.filter((workload) => run.cells.some((cell) => cell.workload === workload.id)).map((workload) => workload.id);
  const aggregates = aggregate(run.cells);
  const ratioRows = ratios(aggregates, workloads);
  const perWorkload = workloadTargets(ratioRows);
  const memory = memoryRows(aggregates, SCENARIOS);
  return {
    meta: run.meta,
    aggregates,
    ratios: ratioRows,
    audit: run.audit,
    targets: [...issue15Targets(perWorkload, memory), ...targets(aggregates, ratioRows, run.audit)],
    workloadTargets: perWorkload,
    memory,
    profile: run.profile,
    profiledWorkload: run.profiledWorkload,
  };
}

/**
 * Writes `latest.md`/`latest.json` and `<mode>.md`/`<mode>.json` (so a quick run never
 * overwrites the last full one). The JSON keeps every cell of every round.
 */
export async function writeResults(directory: string, run: RunRecord): Promise<Report> {
  const report = buildReport(run);
  const json = `${JSON.stringify({ ...report, cells: run.cells }, null, 2)}\n`;
  const markdown = renderMarkdown(report, WORKLOADS);
  for (const name of ['latest', run.meta.mode]) {
    await writeFile(join(directory, `${name}.json`), json);
    await writeFile(join(directory, `${name}.md`), markdown);
  }
  return report;
}
