import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import { FORWARDED_HEADERS } from '../lib/supergraph.js';
import type { RunningServers } from './running.js';

/**
 * Hive Gateway over the same supergraph, programmatic (`createGatewayRuntime`, served by
 * node:http), with its defaults plus header forwarding. With `rust`, query planning goes to
 * the Rust planner of @graphql-hive/router-runtime (execution stays in JavaScript).
 *
 * `createGatewayRuntime` is imported from @graphql-hive/gateway-runtime, the package
 * @graphql-hive/gateway re-exports it from (same function, same version): the CLI package's
 * index also loads its OpenTelemetry setup, which probes cloud metadata endpoints off loopback
 * and takes seconds to load.
 */
export async function startHive(supergraphSdl: string, rust: boolean): Promise<RunningServers> {
  const unifiedGraphHandler = rust ? (await import('@graphql-hive/router-runtime')).unifiedGraphHandler : undefined;
  const gateway = createGatewayRuntime({
    supergraph: supergraphSdl,
    logging: false,
    propagateHeaders: {
      fromClientToSubgraphs: ({ request }) => Object.fromEntries(FORWARDED_HEADERS.map((name) => [name, request.headers.get(name)])),
    },
    ...(unifiedGraphHandler ? { unifiedGraphHandler } : {}),
  });
  const server = createServer(gateway);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}/graphql`;
  return {
    url,
    urls: { gateway: url },
    note: rust ? 'createGatewayRuntime + router-runtime (Rust planner)' : 'createGatewayRuntime defaults',
    roundTrips: () => null,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await gateway.dispose();
    },
  };
}
