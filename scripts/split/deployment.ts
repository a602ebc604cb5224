/**
 * Starts the split deployment (topology.ts) and stops it: the databases, the seed, ten
 * subgraph processes and two gateway processes. `npm run start:split` and
 * test/split/split-deployment.test.ts both start it through here. The commands it runs are
 * the operator's own (`npm run seed`'s seed/cli.ts, `npm run start:<service>`'s
 * scripts/start.ts), each with the environment docs/operations.md lists.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureDatabases } from './databases.js';
import { prepareKeyFiles } from './identity.js';
import { runScript, serviceProcess, type ServiceProcess } from './service-process.js';
import { planTopology, SPLIT_DATABASES, type SplitTopology } from './topology.js';

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
  /** Keys, issuers file and logs go here. */
  readonly runDir: string;
  /** The development issuer's directory (tokens are minted from it). */
  readonly devIssuerDir: string;
  readonly logLevel: string;
  /** `SEED_SCALE` for a fresh seed. */
  readonly seedScale: string;
  /** Called as each step completes (the script prints it; the test stays quiet). */
  readonly progress?: (message: string) => void;
}

export interface SplitDeployment {
  readonly topology: SplitTopology;
  readonly subgraphs: readonly ServiceProcess[];
  readonly gateways: readonly ServiceProcess[];
  readonly logDir: string;
  /** Milliseconds each process took to be ready at start. */
  readonly startMs: Readonly<Record<string, number>>;
  /** Gateways first (no new requests), then the subgraphs; each drains. */
  stop(): Promise<void>;
}

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
    await runScript(['seed/cli.ts', '--scale', options.seedScale], env, join(logDir, 'seed.log'));
    progress(`seeded (${options.seedScale}); log ${join(logDir, 'seed.log')}`);
  } else if (created > 0) {
    throw new Error('some of the split databases exist and some do not: run with --fresh to start from empty ones');
  }

  const processes = (plans: SplitTopology['subgraphs']): ServiceProcess[] => plans.map((plan) => serviceProcess({ ...plan, env: { ...plan.env, DEV_ISSUER_DIR: options.devIssuerDir } }, join(logDir, `${plan.name}.log`)));
  const subgraphs = processes(topology.subgraphs);
  const gateways = processes(topology.gateways);
  const startMs: Record<string, number> = {};
  const stop = async (): Promise<void> => {
    await Promise.all(gateways.map((each) => each.stop()));
    await Promise.all(subgraphs.map((each) => each.stop()));
  };
  try {
    for (const tier of [subgraphs, gateways]) {
      await Promise.all(
        tier.map(async (each) => {
          startMs[each.plan.name] = await each.start();
          progress(`${each.plan.name.padEnd(10)} ready in ${startMs[each.plan.name]} ms`);
        }),
      );
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { topology, subgraphs, gateways, logDir, startMs, stop };
}
