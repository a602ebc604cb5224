import autocannon from 'autocannon';
import type { LoadMethods, LoadResult, LoadSpec } from './lib/load-spec.js';
import { serve } from './lib/rpc.js';

/**
 * The load generator, alone in its process so that it never shares an event loop with the
 * servers it measures: autocannon with a fixed number of connections for a fixed time, each
 * connection sending the spec's requests in turn (closed loop: a connection sends its next
 * request when the previous answer is in).
 */
let sent = 0;

async function run(spec: LoadSpec): Promise<LoadResult> {
  let withErrors = 0;
  const result = await autocannon({
    url: spec.url,
    connections: spec.connections,
    duration: spec.seconds,
    timeout: spec.timeoutSeconds,
    requests: spec.requests.map((request) => ({
      method: 'POST' as const,
      headers: { ...request.headers, 'content-type': 'application/json' },
      body: request.body,
      // A request id of its own for every request, forwarded to the subgraphs by every router:
      // real callers' requests differ, and byte-identical concurrent subgraph fetches would
      // otherwise let a router that deduplicates them (Hive does by default) skip the work.
      setupRequest: (next: autocannon.Request) => ({ ...next, headers: { ...next.headers, 'x-request-id': `bench-${process.pid}-${++sent}` } }),
      onResponse: (_status: number, body: string) => {
        if (body.includes('"errors":')) withErrors += 1;
      },
    })),
  });
  return {
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    withErrors,
    seconds: result.duration,
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, mean: result.latency.mean, max: result.latency.max },
  };
}

serve<LoadMethods>({ run }, async () => undefined);
