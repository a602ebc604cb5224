/**
 * `npx tsx bench/compiled-vs-tsx.ts [--rounds 3] [--requests 300]`: what running the compiled
 * JavaScript (dist/, `npm start`) saves over running the TypeScript through tsx (`npm run dev`),
 * in one run, alternating which goes first each round so that a change of the machine's load
 * falls on both. Each round starts the whole federation under its supervisor on a throwaway
 * PostgreSQL database (seeded once, small) and reads:
 *  - each service's start: from the supervisor's `started` log line to its `ready` one (spawn
 *    to an HTTP /ready answer), and the CPU the service had used by then (/proc: load-insensitive);
 *  - steady-state CPU per request of the gateway and the five subgraphs (sum of their /proc CPU
 *    over the measured requests / requests), after a warm-up, on the issue-15 query at N = 10.
 * Needs PostgreSQL on 127.0.0.1:5432 (BENCH_ADMIN_URL) and dist/ (built here if not current).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { mintToken, PERSONAS } from '../lib/identity/index.js';
import { repoPath } from '../lib/paths.js';
import { scriptArgs, type ScriptRuntime } from '../lib/process/script-command.js';
import { ensureBuilt } from '../scripts/launch.mjs';
import { cpuSecondsOf } from './lib/proc-stats.js';

const QUERY = '{ transfers(first: 10) { edges { node { id status toFacility person { id name encounters { id station } } } } } }';
const SERVICES = ['cbp', 'ice', 'partner', 'ngo', 'audit', 'gateway'] as const;
const WARMUP = 100;
const CONCURRENCY = 4;

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, requests: { type: 'string', default: '300' } }, strict: true });
const rounds = Number(values.rounds);
const requests = Number(values.requests);
if (!Number.isInteger(rounds) || rounds < 1 || !Number.isInteger(requests) || requests < 10) {
  throw new Error(`--rounds must be an integer >= 1 and --requests >= 10, got ${values.rounds} and ${values.requests}`);
}

interface Started {
  readonly supervisor: ChildProcess;
  readonly startMs: Record<string, number>;
  readonly startCpuMs: Record<string, number>;
  readonly pids: Record<string, number>;
  readonly gatewayUrl: string;
}

async function startFederation(runtime: ScriptRuntime, env: NodeJS.ProcessEnv): Promise<Started> {
  const supervisor = spawn(process.execPath, scriptArgs('scripts/start.ts', runtime), { cwd: repoPath(), env, detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
  const startedAt: Record<string, number> = {};
  const pids: Record<string, number> = {};
  const startMs: Record<string, number> = {};
  const startCpuMs: Record<string, number> = {};
  let gatewayUrl: string | undefined;
  let pending = '';
  const done = new Promise<void>((resolve, reject) => {
    supervisor.once('exit', (code) => reject(new Error(`the ${runtime} supervisor exited (${code}) before the banner`)));
    supervisor.stdout?.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const banner = /^ {2}gateway\s+(http\S+)$/.exec(line);
        if (banner?.[1] !== undefined) {
          gatewayUrl = banner[1];
          resolve();
        }
        if (!line.startsWith('{')) continue;
        let entry: { name?: unknown; msg?: unknown; child?: unknown; pid?: unknown; time?: unknown };
        try {
          entry = JSON.parse(line) as typeof entry;
        } catch {
          continue;
        }
        if (entry.name !== 'supervisor' || typeof entry.child !== 'string' || typeof entry.time !== 'number' || typeof entry.pid !== 'number') continue;
        if (entry.msg === 'started') {
          startedAt[entry.child] = entry.time;
          pids[entry.child] = entry.pid;
        } else if (entry.msg === 'ready' && startedAt[entry.child] !== undefined) {
          startMs[entry.child] = entry.time - (startedAt[entry.child] ?? 0);
          startCpuMs[entry.child] = Math.round(cpuSecondsOf(entry.pid) * 1_000);
        }
      }
    });
  });
  await done;
  if (gatewayUrl === undefined) throw new Error('no gateway URL in the banner');
  return { supervisor, startMs, startCpuMs, pids, gatewayUrl };
}

async function stopFederation(started: Started): Promise<void> {
  const exited = new Promise((resolve) => started.supervisor.once('exit', resolve));
  process.kill(-(started.supervisor.pid ?? 0), 'SIGINT');
  await exited;
}

async function drive(url: string, token: string, count: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      next += 1;
      const response = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'x-purpose-of-use': 'INVESTIGATION', 'x-justification': 'CASE-2026-0042', 'content-type': 'application/json' },
        body: JSON.stringify({ query: QUERY }),
      });
      const body = (await response.json()) as { data?: { transfers?: { edges?: unknown[] } }; errors?: unknown };
      if (response.status !== 200 || body.data?.transfers?.edges?.length !== 10) throw new Error(`unexpected answer ${response.status}: ${JSON.stringify(body).slice(0, 300)}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

const serviceCpu = (started: Started): number => SERVICES.reduce((sum, name) => sum + cpuSecondsOf(started.pids[name] ?? 0), 0);

const adminUrl = process.env['BENCH_ADMIN_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const database = `tributary_compiled_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
const databaseUrl = Object.assign(new URL(adminUrl), { pathname: `/${database}` }).toString();
const issuerDir = await mkdtemp(join(tmpdir(), 'tributary-compiled-bench-'));
const results: { runtime: ScriptRuntime; round: number; startMs: Record<string, number>; startCpuMs: Record<string, number>; cpuMsPerRequest: number; load: string }[] = [];
try {
  if (ensureBuilt()) console.error('built dist/');
  await admin.query(`CREATE DATABASE ${database}`);
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: databaseUrl, DEV_ISSUER_DIR: issuerDir, LOG_LEVEL: 'info', SEED_SCALE: 'off', NODE_ENV: 'development' };
  delete env['AUDIT_DATABASE_URL'];
  for (const service of SERVICES) env[`${service.toUpperCase()}_PORT`] = '0';
  await new Promise<void>((resolve, reject) =>
    spawn(process.execPath, scriptArgs('seed/cli.ts', 'compiled'), { cwd: repoPath(), env, stdio: 'inherit' }).once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`seed exited ${code}`)))),
  );
  const token = await mintToken(PERSONAS['ice-analyst'], { dir: issuerDir });
  for (let round = 1; round <= rounds; round += 1) {
    const order: ScriptRuntime[] = round % 2 === 1 ? ['compiled', 'source'] : ['source', 'compiled'];
    for (const runtime of order) {
      const load = loadavg()[0]?.toFixed(1) ?? '?';
      const started = await startFederation(runtime, env);
      try {
        await drive(started.gatewayUrl, token, WARMUP);
        const before = serviceCpu(started);
        await drive(started.gatewayUrl, token, requests);
        const cpuMsPerRequest = ((serviceCpu(started) - before) * 1_000) / requests;
        results.push({ runtime, round, startMs: started.startMs, startCpuMs: started.startCpuMs, cpuMsPerRequest, load });
        console.log(JSON.stringify(results.at(-1)));
      } finally {
        await stopFederation(started);
      }
    }
  }
} finally {
  await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
  await admin.end();
  await rm(issuerDir, { recursive: true, force: true });
}

const median = (xs: readonly number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};
const of = (runtime: ScriptRuntime) => results.filter((each) => each.runtime === runtime);
console.log('\n| | compiled (median) | tsx (median) | compiled / tsx |\n|---|---|---|---|');
for (const name of SERVICES) {
  for (const [label, pick] of [
    ['start, spawn → /ready (ms)', (each: (typeof results)[number]) => each.startMs[name] ?? NaN],
    ['CPU used by /ready (ms)', (each: (typeof results)[number]) => each.startCpuMs[name] ?? NaN],
  ] as const) {
    const compiled = median(of('compiled').map(pick));
    const source = median(of('source').map(pick));
    console.log(`| ${name}: ${label} | ${compiled} | ${source} | ${(compiled / source).toFixed(2)} |`);
  }
}
const compiledCpu = median(of('compiled').map((each) => each.cpuMsPerRequest));
const sourceCpu = median(of('source').map((each) => each.cpuMsPerRequest));
console.log(`| gateway + 5 subgraphs: CPU per request (ms) | ${compiledCpu.toFixed(2)} | ${sourceCpu.toFixed(2)} | ${(compiledCpu / sourceCpu).toFixed(2)} |`);
console.log(`\nrounds ${rounds}, ${requests} measured requests per round after ${WARMUP} of warm-up, ${CONCURRENCY} at a time; 1-min load at each start: ${results.map((each) => `${each.runtime} ${each.load}`).join(', ')}`);
