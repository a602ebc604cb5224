/**
 * Starts the split deployment (topology.ts) and stops it: the databases, the seed, ten
 * subgraph processes and two gateway processes. `npm run start:split` and
 * test/split/split-deployment.test.ts both start it through here. The commands it runs are
 * the operator's own (`npm run seed`'s seed/cli.ts, `npm run start:<service>`'s
 * scripts/start.ts), each with the environment docs/operations.md lists, and the services run
 * under `npm start`'s supervisor (lib/process/supervisor.ts): one that dies is restarted on its
 * port, with backoff, and logged.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { environment } from '../../lib/config.js';
import { createLogger } from '../../lib/log.js';
import { REPO_ROOT } from '../../lib/paths.js';
import type { ScriptRuntime } from '../../lib/process/script-command.js';
import { Supervisor, type ChildHandle } from '../../lib/process/supervisor.js';
import { ensureDatabases } from './databases.js';
import { prepareKeyFiles } from './identity.js';
import { runScript } from './run-script.js';
import { planTopology, SPLIT_DATABASES, type ProcessPlan, type SplitTopology } from './topology.js';

export interface SplitOptions {
  /** A database URL on the PostgreSQL server to use (its database name does not matter). */
  readonly serverUrl: string;
  readonly prefix: string;
  /** Drop the databases first. */
  readonly fresh: boolean;
  /** 12 ports, in topology.ts's `processOrder()`. */
  readonly ports: readonly number[];
  readonly redisUrl: string;
  readonly rateLimitPerSubject: number;
  /** Keys, the issuers file and the seed's log go here. */
  readonly runDir: string;
  /** The development issuer's directory (tokens are minted from it). */
  readonly devIssuerDir: string;
  /** The services' LOG_LEVEL (their logs go to this process's stdout, as `npm start`'s do). */
  readonly logLevel: string;
  /** `SEED_SCALE` for a fresh seed. */
  readonly seedScale: string;
  /** Called as each step completes (the script prints it; the test stays quiet). */
  readonly progress?: (message: string) => void;
  /**
   * How the seed and the services run (lib/process/script-command.ts): by default as this
   * process does; the test, itself TypeScript, asks for `compiled`, as production runs.
   */
  readonly runtime?: ScriptRuntime;
}

/** A running process of the deployment. */
export interface SplitProcess {
  readonly plan: ProcessPlan;
  /** Its current process id (a restart changes it). */
  pid(): number | undefined;
}

export interface SplitDeployment {
  readonly topology: SplitTopology;
  readonly subgraphs: readonly SplitProcess[];
  readonly gateways: readonly SplitProcess[];
  readonly logDir: string;
  /** Milliseconds each process took to be ready at start. */
  readonly startMs: Readonly<Record<string, number>>;
  /** Gateways first (no new requests), then the subgraphs; each drains. */
  stop(): Promise<void>;
}

const isReady = async (url: string): Promise<boolean> => (await fetch(new URL('/ready', url), { signal: AbortSignal.timeout(3_000) })).ok;

export async function startSplitDeployment(options: SplitOptions): Promise<SplitDeployment> {
  const progress = options.progress ?? (() => undefined);
  const logDir = join(options.runDir, 'logs');
  await mkdir(logDir, { recursive: true, mode: 0o700 });
  const keys = await prepareKeyFiles(options.runDir, options.devIssuerDir);
  const topology = planTopology({
    serverUrl: options.serverUrl,
    prefix: options.prefix,
    ports: options.ports,
    redisUrl: options.redisUrl,
    rateLimitPerSubject: options.rateLimitPerSubject,
    logLevel: options.logLevel,
    ...keys,
  });
  const outcomes = await ensureDatabases(options.serverUrl, SPLIT_DATABASES.map((name) => topology.databases[name]), { fresh: options.fresh });
  progress(`databases: ${outcomes.map((each) => `${each.name} (${each.status})`).join(', ')}`);

  // The seed runs once, before any service, on databases created now; a restart keeps the records.
  const created = outcomes.filter((each) => each.status === 'created').length;
  if (created === outcomes.length) {
    const env = { ...topology.subgraphs[0]?.env, DEV_ISSUER_DIR: options.devIssuerDir };
    await runScript(['seed/cli.ts', '--scale', options.seedScale], env, join(logDir, 'seed.log'), options.runtime);
    progress(`seeded (${options.seedScale}); log ${join(logDir, 'seed.log')}`);
  } else if (created > 0) {
    throw new Error('some of the split databases exist and some do not: run with --fresh to start from empty ones');
  }

  let failed: ((reason: Error) => void) | undefined;
  const gaveUp = new Promise<never>((_, reject) => {
    failed = reject;
  });
  gaveUp.catch(() => undefined);
  const supervisor = new Supervisor({
    cwd: REPO_ROOT,
    ...(options.runtime === undefined ? {} : { runtime: options.runtime }),
    log: createLogger('split', options.logLevel),
    // A process that never becomes ready (a port taken, a broken setting) fails the start.
    onGiveUp: (child) => failed?.(new Error(`${child} cannot start: see its log lines above`)),
  });
  const inherited = environment();
  const startMs: Record<string, number> = {};
  const start = async (plan: ProcessPlan): Promise<SplitProcess> => {
    const started = Date.now();
    const handle: ChildHandle = await Promise.race([
      supervisor.start({
        name: plan.name,
        script: 'scripts/start.ts',
        // Stopped in order: gateways (2) before subgraphs (1).
        stage: plan.service === 'gateway' ? 2 : 1,
        launch: () => ({ args: [plan.service], env: { ...inherited, ...plan.env, DEV_ISSUER_DIR: options.devIssuerDir } }),
        readyProbe: isReady,
      }),
      gaveUp,
    ]);
    startMs[plan.name] = Date.now() - started;
    progress(`${plan.name.padEnd(10)} ready in ${startMs[plan.name]} ms`);
    return { plan, pid: () => handle.pid() };
  };
  try {
    const subgraphs = await Promise.all(topology.subgraphs.map(start));
    const gateways = await Promise.all(topology.gateways.map(start));
    return { topology, subgraphs, gateways, logDir, startMs, stop: () => supervisor.stop() };
  } catch (error) {
    await supervisor.stop();
    throw error;
  }
}
