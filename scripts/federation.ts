import { readSettings, type Settings } from '../lib/config.js';
import { SUBGRAPHS, type ServiceName, type SubgraphName } from '../lib/domain.js';
import { repoPath } from '../lib/paths.js';
import type { RunningService } from '../lib/server/http.js';
import { createRuntime, type Runtime, type RuntimeOptions } from '../lib/server/runtime.js';
import { seedStoresIfEmpty, type Scale } from '../seed/index.js';
import { defaultPolicyEngine } from '../policies/index.js';
import type { PolicyEngine } from '../lib/access/decision.js';
import { seedScaleOf } from './seed-scale.js';
import { consoleRoute, type Route } from '../gateway/console-route.js';
import { ideRoute } from '../gateway/ide-route.js';
import { preparePages } from '../gateway/page-builds.js';
import { firstRoute } from '../gateway/static-build.js';
import { startGateway } from '../gateway/gateway.js';
import { SUBGRAPH_STARTERS } from '../subgraphs/index.js';
import { onParentGone, reportReady, supervised } from '../lib/process/parent-link.js';
import { banner } from './banner.js';

export interface FederationOptions extends Omit<RuntimeOptions, 'policy'> {
  /** The engine every service asks; default: the rule set of policies/rules. */
  readonly policy?: PolicyEngine;
  /** Which services to run; empty or unset: all of them. */
  readonly services?: readonly ServiceName[];
  readonly settings?: Settings;
  /** Listen on free ports instead of the configured ones (tests, benchmarks). */
  readonly ephemeralPorts?: boolean;
  /**
   * Seed an empty store at this scale; false: never. Default: the embedded store is seeded
   * (scale SEED_SCALE, else small); a real PostgreSQL only when SEED_SCALE is set, so that of
   * several services sharing one database only the one told to seeds it.
   */
  readonly seed?: Scale | false;
  /** Extra routes the gateway serves beside GraphQL: `npm start` passes the auditor console. */
  readonly gatewayRoutes?: Route;
}

export interface Federation {
  readonly runtime: Runtime;
  readonly urls: Readonly<Partial<Record<ServiceName, string>>>;
  readonly services: Readonly<Partial<Record<ServiceName, RunningService>>>;
  /** Stops the gateway first (no new requests), then the subgraphs, then the stores. */
  close(): Promise<void>;
}

/**
 * Starts services in one process over one runtime. Subgraphs start first so the gateway can
 * be pointed at their actual ports.
 */
export async function startFederation(options: FederationOptions = {}): Promise<Federation> {
  const base = options.settings ?? readSettings();
  const wanted = new Set<ServiceName>(options.services && options.services.length > 0 ? options.services : ['gateway', ...SUBGRAPHS]);
  // Only the databases of the subgraphs run here are opened (and only their owners' facts beat).
  const runtime = await createRuntime(base, {
    ...options,
    // The process is assembled here, above lib/ and policies/: this is where the default engine is named.
    policy: options.policy ?? defaultPolicyEngine(),
    subgraphs: SUBGRAPHS.filter((name) => wanted.has(name)),
  });
  const scale = options.seed ?? seedScaleOf(base);
  // Each agency's records into its own store (one store when all share a database).
  if (scale !== false) await seedStoresIfEmpty(runtime.storeGroups, { scale });

  const services: Partial<Record<ServiceName, RunningService>> = {};
  const subgraphUrls: Record<SubgraphName, string> = { ...base.subgraphUrls };
  const port = (service: ServiceName): number => (options.ephemeralPorts ? 0 : base.ports[service]);
  try {
    for (const name of SUBGRAPHS) {
      const start = SUBGRAPH_STARTERS[name];
      if (!wanted.has(name) || !start) continue;
      const service = await start(runtime, { port: port(name), host: base.host });
      services[name] = service;
      subgraphUrls[name] = service.url;
    }
    if (wanted.has('gateway')) {
      const settings: Settings = { ...base, subgraphUrls };
      services.gateway = await startGateway(
        { ...runtime, settings },
        { port: port('gateway'), host: base.host, ...(options.gatewayRoutes ? { routes: options.gatewayRoutes } : {}) },
      );
    }
  } catch (error) {
    await Promise.all(Object.values(services).map((service) => service.close()));
    await runtime.close();
    throw error;
  }

  return {
    runtime,
    services,
    urls: Object.fromEntries(Object.entries(services).map(([name, service]) => [name, service.url])),
    async close() {
      await services.gateway?.close();
      await Promise.all(SUBGRAPHS.map((name) => services[name]?.close()));
      await runtime.close();
    },
  };
}

/** `npm start`: runs until SIGINT/SIGTERM, then drains in-flight requests and exits. */
export async function runFederation(options: FederationOptions): Promise<void> {
  const settings = options.settings ?? readSettings();
  const embedded = settings.databaseUrl === undefined;
  const only = options.services && options.services.length === 1 ? options.services[0] : undefined;
  // One embedded store per process: a service started alone keeps its own directory.
  const dataDir = settings.dataDir ?? (embedded ? repoPath('data', only ? `pglite-${only}` : 'pglite') : undefined);
  if (embedded && settings.production) {
    console.warn('NODE_ENV=production without DATABASE_URL: running on the embedded store (fine for a trial, not for an agency)');
  }
  const withGateway = options.services === undefined || options.services.length === 0 || options.services.includes('gateway');
  // The auditor console (SPEC 1) is served by the gateway at /console/, and in development the
  // GraphQL IDE at /graphql (SPEC 8), each built first if needed, and only in development.
  const buildLog = { info: (message: string) => console.log(message), warn: (message: string) => console.warn(message) };
  if (withGateway) await preparePages({ production: settings.production, log: buildLog });
  const federation = await startFederation({
    ...options,
    settings: { ...settings, dataDir },
    ...(withGateway ? { gatewayRoutes: firstRoute(ideRoute({ production: settings.production }), consoleRoute()) } : {}),
  });
  const { urls } = federation;
  if (supervised() && only !== undefined) {
    // Started by `npm start`'s supervisor: it prints the banner once every service answers.
    const url = urls[only];
    if (url !== undefined) reportReady(url);
  } else {
    console.log(banner({ urls, store: embedded ? { embedded: dataDir ?? '' } : 'postgres', production: settings.production }));
  }
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    federation.runtime.log.info({ signal }, 'shutting down: draining in-flight requests');
    await federation.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  onParentGone(() => void stop('supervisor gone'));
}
