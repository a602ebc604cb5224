import { repoPath } from '../../lib/paths.js';
import { isSubgraphSet, SERVER_ROLES, type ServerMethods, type ServerRole, type SubgraphSetRole } from './roles.js';
import { spawnChild, type Child } from './rpc.js';

/** The routers compared, each with the subgraph set it forwards to. */
export interface Scenario {
  readonly id: 'apollo' | 'tributary' | 'hive' | 'hive-rust' | 'plain';
  readonly label: string;
  readonly gateway: ServerRole;
  readonly subgraphs: SubgraphSetRole;
}

export const SCENARIOS: readonly Scenario[] = [
  { id: 'apollo', label: '(a) bare @apollo/gateway', gateway: 'gateway-apollo', subgraphs: 'subgraphs-bare' },
  { id: 'tributary', label: '(b) Tributary', gateway: 'gateway-tributary', subgraphs: 'subgraphs-tributary' },
  { id: 'hive', label: '(c) Hive Gateway', gateway: 'gateway-hive', subgraphs: 'subgraphs-bare' },
  { id: 'hive-rust', label: '(c) Hive Gateway + Rust planner', gateway: 'gateway-hive-rust', subgraphs: 'subgraphs-bare' },
  { id: 'plain', label: '(d) plain federation', gateway: 'gateway-plain', subgraphs: 'subgraphs-plain' },
];

export interface Server {
  readonly role: ServerRole;
  readonly child: Child<ServerMethods>;
  readonly url: string;
  readonly note: string;
}

export interface Fleet {
  /** Starts every subgraph set over the (seeded) database, then every gateway over its set. */
  start(databaseUrl: string): Promise<void>;
  /** Started servers by role; a gateway that could not start is absent (see `failures`). */
  readonly servers: ReadonlyMap<ServerRole, Server>;
  readonly failures: ReadonlyMap<ServerRole, string>;
  /** Where each subgraph set's subgraphs listen, by service name. */
  readonly subgraphUrls: ReadonlyMap<SubgraphSetRole, Readonly<Record<string, string>>>;
  stop(): Promise<void>;
}

const SERVER_FILE = repoPath('bench', 'server.ts');

/**
 * One process per server role, spawned at once so that they load their modules while the
 * database is seeded; `start` then starts every subgraph set, then every gateway over its set.
 * A subgraph set that fails stops the run; a gateway that fails (say, a native module that
 * does not load here) is reported with its reason and its scenario skipped.
 */
export function spawnFleet(env: NodeJS.ProcessEnv): Fleet {
  const children = new Map(SERVER_ROLES.map((role) => [role, spawnChild<ServerMethods>(role, SERVER_FILE, env)] as const));
  const servers = new Map<ServerRole, Server>();
  const failures = new Map<ServerRole, string>();
  const subgraphUrls = new Map<SubgraphSetRole, Readonly<Record<string, string>>>();
  const stop = async (): Promise<void> => {
    const stopAll = (gateways: boolean): Promise<void[]> =>
      Promise.all([...children].filter(([role]) => role.startsWith('gateway') === gateways).map(([, child]) => child.stop()));
    await stopAll(true);
    await stopAll(false);
  };
  const startOne = async (role: ServerRole, databaseUrl: string, urls: Readonly<Record<string, string>>): Promise<{ readonly urls: Readonly<Record<string, string>> }> => {
    const child = children.get(role);
    if (!child) throw new Error(`no process for ${role}`);
    const started = await child.call('start', { role, databaseUrl, subgraphUrls: urls });
    servers.set(role, { role, child, url: started.url, note: started.note });
    return started;
  };
  const start = async (databaseUrl: string): Promise<void> => {
    await Promise.all(
      SERVER_ROLES.filter(isSubgraphSet).map(async (role) => {
        subgraphUrls.set(role, (await startOne(role, databaseUrl, {})).urls);
      }),
    );
    await Promise.all(
      SCENARIOS.map(async (scenario) => {
        try {
          await startOne(scenario.gateway, databaseUrl, subgraphUrls.get(scenario.subgraphs) ?? {});
        } catch (error) {
          failures.set(scenario.gateway, error instanceof Error ? (error.message.split('\n')[0] ?? error.message) : String(error));
        }
      }),
    );
  };
  return { start, servers, failures, subgraphUrls, stop };
}
