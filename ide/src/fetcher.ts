import type { GraphiQLProps } from 'graphiql';
import { GraphQLError, type ExecutionResult } from 'graphql';

type Fetcher = GraphiQLProps['fetcher'];

/**
 * GraphiQL's requests, the schema's introspection included, as one JSON POST each to the
 * gateway with the header editor's headers (the caller's token, purpose and justification).
 * Written here rather than taken from @graphiql/toolkit: the gateway speaks plain JSON over
 * POST (no subscriptions, no incremental delivery), and the page depends on graphiql alone.
 */
export function gatewayFetcher(url: string): Fetcher {
  return async (params, options) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    for (const [name, value] of Object.entries(options?.headers ?? {})) {
      // The editor's JSON is the developer's: only string values make headers.
      if (typeof value === 'string') headers[name.toLowerCase()] = value;
    }
    const response = await fetch(url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query: params.query, operationName: params.operationName ?? null, variables: params.variables ?? null }),
      credentials: 'omit',
    });
    return asExecutionResult(await response.json().catch(() => null), response.status);
  };
}

/** What the gateway answered, as GraphiQL shows it; anything else becomes an error it shows. */
function asExecutionResult(body: unknown, status: number): ExecutionResult {
  if (typeof body === 'object' && body !== null && !Array.isArray(body) && ('data' in body || 'errors' in body)) {
    return body as ExecutionResult;
  }
  return { errors: [new GraphQLError(`The gateway answered HTTP ${status} without a GraphQL result`)] };
}
