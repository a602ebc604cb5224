import { readFile } from 'node:fs/promises';
import { repoPath } from '../../lib/paths.js';

/**
 * Reads a V8 CPU profile (.cpuprofile, as the inspector writes it) and names where the time
 * went: self time per function and per area (a package under node_modules, or a folder of
 * this repository), largest first.
 */

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

function isProfile(value: unknown): value is CpuProfile {
  return typeof value === 'object' && value !== null && Array.isArray((value as CpuProfile).nodes) && Array.isArray((value as CpuProfile).samples);
}

const ROOT = `file://${repoPath()}/`;

/** `node_modules/@apollo/gateway/...` → `@apollo/gateway`; `lib/audit/writer.ts` → `lib/audit`. */
function areaOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node internals';
  const path = url.startsWith(ROOT) ? url.slice(ROOT.length) : url;
  const modules = path.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const parts = path.slice(modules + 'node_modules/'.length).split('/');
    return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1] ?? ''}` : (parts[0] ?? path);
  }
  const parts = path.split('/');
  return parts.length > 2 ? parts.slice(0, 2).join('/') : (parts[0] ?? path);
}

function where(url: string, line: number): string {
  const path = url.startsWith(ROOT) ? url.slice(ROOT.length) : url.replace(/^.*node_modules\//, '');
  return path === '' ? '' : `${path}:${line + 1}`;
}

export interface ProfileSummary {
  readonly totalMs: number;
  readonly functions: readonly { readonly name: string; readonly where: string; readonly ms: number; readonly share: number }[];
  readonly areas: readonly { readonly area: string; readonly ms: number; readonly share: number }[];
}

export async function summarizeProfile(file: string, top = 15): Promise<ProfileSummary> {
  const profile: unknown = JSON.parse(await readFile(file, 'utf8'));
  if (!isProfile(profile)) throw new Error(`${file} is not a V8 CPU profile`);
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  // The profiler's own work (the inspector session that started it) is not the server's.
  const profiler = new Set<number>();
  const markProfiler = (id: number): void => {
    profiler.add(id);
    for (const child of byId.get(id)?.children ?? []) markProfiler(child);
  };
  for (const node of profile.nodes) if (node.callFrame.url === 'node:inspector') markProfiler(node.id);
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const functions = new Map<string, { name: string; where: string; us: number }>();
  const areas = new Map<string, number>();
  let total = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node || profiler.has(id)) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)' || functionName === '(program)') continue;
    total += us;
    const key = `${functionName}\u0000${url}\u0000${lineNumber}`;
    const entry = functions.get(key) ?? { name: functionName || '(anonymous)', where: where(url, lineNumber), us: 0 };
    entry.us += us;
    functions.set(key, entry);
    const area = areaOf(url, functionName);
    areas.set(area, (areas.get(area) ?? 0) + us);
  }
  const share = (us: number): number => (total === 0 ? 0 : us / total);
  return {
    totalMs: total / 1000,
    functions: [...functions.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((entry) => ({ name: entry.name, where: entry.where, ms: entry.us / 1000, share: share(entry.us) })),
    areas: [...areas.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([area, us]) => ({ area, ms: us / 1000, share: share(us) })),
  };
}

export function renderProfile(title: string, summary: ProfileSummary): string {
  const pct = (share: number): string => `${(share * 100).toFixed(1)}%`;
  return [
    `### ${title} (${Math.round(summary.totalMs).toLocaleString('en-US')} ms of busy CPU sampled)`,
    '',
    '| self time by area | share |',
    '|---|---:|',
    ...summary.areas.map((area) => `| ${area.area} | ${pct(area.share)} |`),
    '',
    '| function | where | share |',
    '|---|---|---:|',
    ...summary.functions.map((fn) => `| ${fn.name} | ${fn.where} | ${pct(fn.share)} |`),
    '',
  ].join('\n');
}
