import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { SERVER_ROLES, type ServerMethods, type ServerRole, type StartParams } from './lib/roles.js';
import { serve } from './lib/rpc.js';
import { supergraphFor } from './lib/supergraph.js';
import type { RunningServers } from './servers/running.js';

/**
 * A child process of the benchmark: one server role (its first argument), started and measured
 * on request. Each role's modules are imported only in its own process, and as soon as the
 * process starts: Hive Gateway alone takes seconds to load, and gateways wait for their
 * subgraphs' URLs anyway.
 */
type Starter = (params: StartParams) => Promise<RunningServers>;

async function load(role: ServerRole): Promise<Starter> {
  switch (role) {
    case 'subgraphs-bare':
    case 'subgraphs-tributary': {
      const { startSubgraphSet } = await import('./servers/subgraphs.js');
      return (params) => startSubgraphSet(role === 'subgraphs-bare' ? 'bare' : 'tributary', params.databaseUrl);
    }
    case 'subgraphs-plain': {
      const { startPlainSubgraphs } = await import('./plain/set.js');
      return (params) => startPlainSubgraphs(params.databaseUrl);
    }
    case 'gateway-plain': {
      const [{ startBareApollo }, { plainSupergraph }] = await Promise.all([import('./servers/apollo-bare.js'), import('./plain/supergraph.js')]);
      return async (params) => ({ ...(await startBareApollo(await plainSupergraph(params.subgraphUrls))), note: 'ApolloGateway defaults + header forwarding, over the plain subgraphs' });
    }
    case 'gateway-tributary': {
      const { startTributaryGateway } = await import('./servers/tributary-gateway.js');
      return (params) => startTributaryGateway(params.databaseUrl, params.subgraphUrls);
    }
    case 'gateway-apollo': {
      const { startBareApollo } = await import('./servers/apollo-bare.js');
      return async (params) => startBareApollo(await supergraphFor(params.subgraphUrls));
    }
    case 'gateway-hive':
    case 'gateway-hive-rust': {
      const { startHive } = await import('./servers/hive.js');
      return async (params) => startHive(await supergraphFor(params.subgraphUrls), role === 'gateway-hive-rust');
    }
  }
}

const role = SERVER_ROLES.find((candidate) => candidate === process.argv[2]);
if (role === undefined) throw new Error(`bench/server.ts: unknown role ${String(process.argv[2])}`);
const starter = load(role);
// Reported by `start`; never an unhandled rejection before that.
starter.catch(() => undefined);

let running: RunningServers | undefined;
let profiler: Session | undefined;

serve<ServerMethods>(
  {
    async start(params) {
      running = await (await starter)(params);
      return { url: running.url, urls: running.urls, note: running.note };
    },
    async stats() {
      return { roundTrips: running?.roundTrips() ?? null };
    },
    async profileStart() {
      profiler = new Session();
      profiler.connect();
      await profiler.post('Profiler.enable');
      // 100 µs sampling, finer than the default 1 ms: short runs still give a usable profile.
      await profiler.post('Profiler.setSamplingInterval', { interval: 100 });
      await profiler.post('Profiler.start');
      return null;
    },
    async profileStop({ file }) {
      if (!profiler) throw new Error('no profile was started');
      const { profile } = await profiler.post('Profiler.stop');
      profiler.disconnect();
      profiler = undefined;
      await writeFile(file, JSON.stringify(profile));
      return null;
    },
  },
  async () => {
    await running?.close();
  },
);
