import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { mintToken, PERSONAS, type PersonaName } from '../lib/identity/index.js';
import { repoPath } from '../lib/paths.js';
import { migrate, openPostgres, sql } from '../lib/store/index.js';
import { seedIfEmpty } from '../seed/index.js';
import type { AuditBenchMethods, AuditBenchResult } from './audit-writer.js';
import { createBenchDatabase, type BenchDatabase } from './lib/database.js';
import { lookUpFixtures, pickTransfer } from './lib/fixtures.js';
import { SCENARIOS, spawnFleet, type Fleet, type Scenario } from './lib/fleet.js';
import type { LoadMethods } from './lib/load-spec.js';
import { measureCell, type CellResult, type CellSetup } from './lib/measure.js';
import { parseOptions, type RunOptions } from './lib/options.js';
import { renderProfile, summarizeProfile } from './lib/profile-summary.js';
import { writeResults } from './lib/results.js';
import { spawnChild, type Child } from './lib/rpc.js';
import { PERSONAS_USED, WORKLOADS, type WorkloadContext } from './lib/workloads.js';

/**
 * `npm run bench` (full) and `npm run bench -- --quick`: every router over the same subgraph
 * code and data on loopback, side by side in one run, then the audit writer alone. Writes
 * bench/results/latest.md and latest.json. See bench/README.md for how to read them.
 */

const RESULTS = repoPath('bench', 'results');
const log = (message: string): void => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);

async function seed(database: BenchDatabase, options: RunOptions): Promise<Record<string, number>> {
  const store = openPostgres({ connectionString: database.url, statementTimeoutMs: 600_000 });
  try {
    await migrate(store);
    const outcome = await seedIfEmpty(store, { scale: options.scale });
    await store.exec('ANALYZE');
    return outcome.status === 'seeded' ? { ...outcome.counts } : {};
  } finally {
    await store.close();
  }
}

async function mintTokens(dir: string): Promise<Map<PersonaName, string>> {
  // Two hours: longer than the longest run, so no token expires while measured.
  const entries = await Promise.all(PERSONAS_USED.map(async (persona) => [persona, await mintToken(PERSONAS[persona], { dir, expiresIn: 7200 })] as const));
  return new Map(entries);
}

/** Scenario order of each round: forward, then backward, so slow drift of the machine cancels. */
const orderOf = (round: number, scenarios: readonly Scenario[]): readonly Scenario[] => (round % 2 === 0 ? scenarios : [...scenarios].reverse());

async function profileCell(fleet: Fleet, scenario: Scenario, measure: () => Promise<CellResult>): Promise<{ cell: CellResult; markdown: string }> {
  const processes = [scenario.gateway, scenario.subgraphs].map((role) => fleet.servers.get(role)).filter((server) => server !== undefined);
  await Promise.all(processes.map((server) => server.child.call('profileStart', null)));
  const cell = await measure();
  const parts: string[] = [];
  for (const server of processes) {
    const file = join(RESULTS, `${scenario.id}-${server.role}.cpuprofile`);
    await server.child.call('profileStop', { file });
    parts.push(renderProfile(`${server.role} (${file.slice(repoPath().length + 1)})`, await summarizeProfile(file)));
  }
  return { cell, markdown: parts.join('\n') };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const started = performance.now();
  const loadAtStart = loadavg();
  await mkdir(RESULTS, { recursive: true });
  const issuerDir = await mkdtemp(join(tmpdir(), 'tributary-bench-issuer-'));
  // The children's environment, passed through as a whole (this is the bench harness, not a
  // service: the services read it once, into their Settings). Rate limits off: the benchmark's few subjects would otherwise be refused after 600 requests
  // a minute, and the limiter's refusals measured instead of the work.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DEV_ISSUER_DIR: issuerDir,
    LOG_LEVEL: 'warn',
    NODE_ENV: 'development',
    DATABASE_URL: '',
    RATE_LIMIT_PER_SUBJECT: '0',
    RATE_LIMIT_PER_ORG: '0',
  };
  process.env.DEV_ISSUER_DIR = issuerDir;

  const database = await createBenchDatabase();
  const auditDatabase = await createBenchDatabase('_audit');
  const children: { stop(): Promise<void> }[] = [];
  let fleet: Fleet | undefined;
  const store = openPostgres({ connectionString: database.url });
  try {
    // The server processes load their modules while the database is seeded.
    fleet = spawnFleet(env);
    log(`database ${database.name}: migrating and seeding at scale ${String(options.scale)}`);
    const seededRows = await seed(database, options);
    const [version] = await store.query(sql`SELECT current_setting('server_version') AS v`);

    log('starting subgraph sets and gateways (one process each)');
    await fleet.start(database.url);
    for (const [role, reason] of fleet.failures) log(`${role} did not start: ${reason}`);
    const load = spawnChild<LoadMethods>('load', repoPath('bench', 'load.ts'), env);
    children.push(load);

    const tokens = await mintTokens(issuerDir);
    const token = (persona: PersonaName): string => tokens.get(persona) ?? '';
    const tributary = fleet.servers.get('gateway-tributary');
    if (!tributary) throw new Error(`Tributary's gateway did not start: ${fleet.failures.get('gateway-tributary') ?? 'unknown'}`);
    const fixtures = await lookUpFixtures(store, async () => {
      const response = await fetch(tributary.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token('ice-analyst')}`, 'x-purpose-of-use': 'CUSTODY_TRANSFER' },
        body: JSON.stringify({ query: '{ transfers(first: 50) { edges { node { id person { id encounters { id } } } } } }' }),
      });
      return pickTransfer(await response.json());
    });
    const context: WorkloadContext = { fixtures, token };

    const setup: CellSetup = {
      fleet,
      load,
      store,
      databaseName: database.name,
      connections: options.connections,
      warmupSeconds: options.warmupSeconds,
      seconds: options.seconds,
    };
    const scenarios = SCENARIOS.filter((scenario) => fleet?.servers.has(scenario.gateway));
    const workloads = WORKLOADS.filter((workload) => options.only.length === 0 || options.only.includes(workload.id));
    const cells: CellResult[] = [];
    let profile: string | null = null;
    for (const workload of workloads) {
      const requests = workload.requests(context);
      for (let round = 0; round < options.rounds; round++) {
        for (const scenario of orderOf(round, scenarios)) {
          const measure = (): Promise<CellResult> => measureCell(setup, scenario, workload, round, requests);
          const profiled = options.profile && round === 0 && workload.id === options.profile && (scenario.id === 'tributary' || scenario.id === 'apollo' || scenario.id === 'plain');
          const result = profiled ? await profileCell(fleet, scenario, measure) : { cell: await measure(), markdown: '' };
          if (result.markdown) profile = `${profile ?? ''}${result.markdown}\n`;
          const { cell } = result;
          cells.push(cell);
          log(
            `${workload.id.padEnd(10)} ${scenario.id.padEnd(10)} round ${round + 1}: ${cell.requestsPerSecond.toFixed(1)} req/s, p50 ${cell.load.latencyMs.p50} ms, p99 ${cell.load.latencyMs.p99} ms, ${cell.recordsPerRequest.toFixed(0)} records/req, SQL/req ${cell.sqlPerRequest?.toFixed(1) ?? '–'}`,
          );
        }
      }
    }

    log('audit writer alone');
    const auditBench: Child<AuditBenchMethods> = spawnChild<AuditBenchMethods>('audit-writer', repoPath('bench', 'audit-writer.ts'), env);
    children.push(auditBench);
    const audit: AuditBenchResult[] = await auditBench.call('run', { databaseUrl: auditDatabase.url, seconds: options.auditSeconds, configs: options.auditConfigs });
    for (const result of audit) log(`audit ${result.appenders} x ${result.entriesPerAppend}: ${Math.round(result.entriesPerSecond)} entries/s`);

    const report = await writeResults(RESULTS, {
      meta: {
        date: new Date().toISOString(),
        mode: options.mode,
        machine: `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}`,
        loadAverageAtStart: loadAtStart,
        node: process.version,
        postgres: `PostgreSQL ${String(version?.['v'] ?? '?')}`,
        scale: String(options.scale),
        seededRows,
        connections: options.connections,
        warmupSeconds: options.warmupSeconds,
        seconds: options.seconds,
        rounds: options.rounds,
        servers: Object.fromEntries([...fleet.servers.values()].map((server) => [server.role, server.note])),
        skipped: Object.fromEntries(fleet.failures),
        wallSeconds: (performance.now() - started) / 1000,
      },
      cells,
      audit,
      profile,
      profiledWorkload: options.profile,
    });
    log(`wrote bench/results/latest.md and ${options.mode}.md (and .json) in ${Math.round(report.meta.wallSeconds)} s`);
  } finally {
    await Promise.all(children.map((child) => child.stop().catch(() => undefined)));
    await fleet?.stop().catch(() => undefined);
    await store.close().catch(() => undefined);
    await database.drop().catch((error: unknown) => log(`could not drop ${database.name}: ${String(error)}`));
    await auditDatabase.drop().catch((error: unknown) => log(`could not drop ${auditDatabase.name}: ${String(error)}`));
    await rm(issuerDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
