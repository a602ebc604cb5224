import { readFile, writeFile } from 'node:fs/promises';
import { repoPath } from '../lib/paths.js';
import { renderMarkdown } from './lib/report.js';
import { buildReport, type RunRecord } from './lib/results.js';
import { WORKLOADS } from './lib/workloads.js';

/**
 * Renders a results JSON again (after a change to how the report reads): `npx tsx bench/render.ts
 * [bench/results/full.json]` rewrites the .md beside it from the cells it keeps.
 */
function isRunRecord(value: unknown): value is RunRecord {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Partial<Record<keyof RunRecord, unknown>>;
  return typeof record.meta === 'object' && record.meta !== null && Array.isArray(record.cells) && Array.isArray(record.audit);
}

const file = process.argv[2] ?? repoPath('bench', 'results', 'latest.json');
const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
if (!isRunRecord(parsed)) throw new Error(`${file} is not a benchmark result (bench/results/*.json)`);
const record: RunRecord = {
  meta: parsed.meta,
  cells: parsed.cells,
  audit: parsed.audit,
  profile: parsed.profile ?? null,
  profiledWorkload: parsed.profiledWorkload ?? null,
};
const report = buildReport(record);
await writeFile(file.replace(/\.json$/, '.md'), renderMarkdown(report, WORKLOADS));
await writeFile(file, `${JSON.stringify({ ...report, cells: record.cells }, null, 2)}\n`);
console.log(`rendered ${file.replace(/\.json$/, '.md')}`);
