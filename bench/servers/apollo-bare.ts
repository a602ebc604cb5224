import type { IncomingHttpHeaders } from 'node:http';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { disableApolloTelemetry } from '../../gateway/no-phone-home.js';
import { FORWARDED_HEADERS } from '../lib/supergraph.js';
import type { RunningServers } from './running.js';

interface BareContext {
  readonly headers: IncomingHttpHeaders;
}

/**
 * The baseline: a plain ApolloGateway with its defaults (default RemoteGraphQLDataSource and
 * fetcher, Apollo Server's standalone HTTP server) over the supergraph. Its only addition is
 * forwarding the headers the subgraphs need, because they still verify every token.
 */
export async function startBareApollo(supergraphSdl: string): Promise<RunningServers> {
  // Its one other departure from the defaults: nothing leaves the machine (see no-phone-home.ts).
  disableApolloTelemetry();
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ url }) =>
      new RemoteGraphQLDataSource<BareContext>({
        ...(url ? { url } : {}),
        willSendRequest({ request, context }) {
          for (const name of FORWARDED_HEADERS) {
            const value = context.headers?.[name];
            if (typeof value === 'string') request.http?.headers.set(name, value);
          }
        },
      }),
  });
  const server = new ApolloServer<BareContext>({ gateway });
  const { url } = await startStandaloneServer(server, {
    listen: { port: 0, host: '127.0.0.1' },
    context: async ({ req }) => ({ headers: req.headers }),
  });
  return { url, urls: { gateway: url }, note: 'ApolloGateway defaults + header forwarding', roundTrips: () => null, close: () => server.stop() };
}
