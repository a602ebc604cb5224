import { readSettings, environment, type Settings } from '../lib/config.js';
import { SUBGRAPHS, type ServiceName, type SubgraphName } from '../lib/domain.js';
import { createLogger } from '../lib/log.js';
import { REPO_ROOT, repoPath } from '../lib/paths.js';
import { Supervisor, type ChildHandle } from '../lib/process/supervisor.js';
import { banner } from './banner.js';

/**
 * `npm start`: every service a process of its own (lib/process/supervisor.ts). On the embedded
 * store, a store process first (it migrates, seeds and serves data/pglite over the PostgreSQL
 * protocol); then the five subgraphs; then the gateway, pointed at their ports; the banner once
 * every one answers `/ready`. SIGINT/SIGTERM stop the gateway, then the subgraphs, then the store.
 */
export async function runSupervised(settings: Settings = readSettings()): Promise<void> {
  const log = createLogger('supervisor', settings.logLevel);
  let stopping = false;
  const stop = async (reason: string, code = 0): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info({ reason }, 'stopping: gateway, then subgraphs, then the store');
    await supervisor.stop();
    process.exit(code);
  };
  // A service that cannot start at all (its port taken, a malformed setting: its own log says
  // why) stops the whole start with exit code 1, rather than a restart loop a newcomer must notice.
  const supervisor = new Supervisor({ cwd: REPO_ROOT, log, onGiveUp: (child) => void stop(`${child} cannot start`, 1) });
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  const inherited = environment();
  const embedded = settings.databaseUrl === undefined;
  const dataDir = settings.dataDir ?? repoPath('data', 'pglite');
  if (embedded && settings.production) {
    console.warn('NODE_ENV=production without DATABASE_URL: running on the embedded store (fine for a trial, not for an agency)');
  }
  const portOf = (url: string | undefined, fallback: number): number => (url === undefined ? fallback : Number(new URL(url).port));

  let storeUrl: string | undefined;
  if (embedded) {
    const store = await supervisor.start({
      name: 'store',
      script: 'scripts/store-process.ts',
      stage: 0,
      // A restarted store keeps its address: the same socket directory, or (TCP) the same port.
      launch: (previous) => ({
        args: previous === undefined || previous.includes('?host=') ? [] : [String(portOf(previous, 0))],
        env: { ...inherited, DATA_DIR: dataDir },
      }),
    });
    storeUrl = store.url;
  }

  const serviceEnv = (name: ServiceName, previous: string | undefined, extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({
    ...inherited,
    ...(storeUrl === undefined ? {} : { DATABASE_URL: storeUrl }),
    // The store process has seeded; on PostgreSQL the first subgraph alone may (SEED_SCALE).
    ...(embedded || name !== SUBGRAPHS[0] ? { SEED_SCALE: 'off' } : {}),
    [`${name.toUpperCase()}_PORT`]: String(portOf(previous, settings.ports[name])),
    ...extra,
  });
  const service = (name: ServiceName, stage: number, extra: NodeJS.ProcessEnv = {}): Promise<ChildHandle> =>
    supervisor.start({
      name,
      script: 'scripts/start.ts',
      stage,
      launch: (previous) => ({ args: [name], env: serviceEnv(name, previous, extra) }),
      readyProbe: async (url) => (await fetch(new URL('/ready', url), { signal: AbortSignal.timeout(3_000) })).ok,
    });

  const subgraphs = await Promise.all(SUBGRAPHS.map((name) => service(name, 1)));
  const subgraphUrls = Object.fromEntries(subgraphs.map((handle) => [`${handle.name.toUpperCase()}_URL`, handle.url])) as Record<`${Uppercase<SubgraphName>}_URL`, string>;
  const gateway = await service('gateway', 2, subgraphUrls);
  const urls: Partial<Record<ServiceName, string>> = Object.fromEntries([...subgraphs, gateway].map((handle) => [handle.name, handle.url]));
  console.log(banner({ urls, store: embedded ? { embedded: dataDir } : 'postgres', production: settings.production }));
}
