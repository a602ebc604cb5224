import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * How the proxy treats the next requests. Each mode is one way a subgraph fails in production:
 * `hang` a process stuck in a loop or a lost packet, `reset` a process killed mid-response,
 * `status` a load balancer answering for a dead backend, `delay` a slow subgraph.
 */
export type ProxyMode =
  | { readonly kind: 'pass' }
  | { readonly kind: 'delay'; readonly ms: number }
  | { readonly kind: 'hang' }
  | { readonly kind: 'reset' }
  | { readonly kind: 'status'; readonly status: number };

export interface FaultProxy {
  readonly url: string;
  readonly port: number;
  /** Requests received since the proxy started, whatever their fate. */
  readonly requests: number;
  /** Their bodies, when the proxy was started with `keepBodies` (to see what a router sent); a test may empty it. */
  readonly bodies: string[];
  set(mode: ProxyMode): void;
  close(): Promise<void>;
}

/**
 * A loopback HTTP proxy in front of one real subgraph, registered as that subgraph's URL in a
 * gateway's settings: the gateway cannot tell it from the subgraph until a fault is switched on.
 */
export async function startFaultProxy(target: string, options: { readonly keepBodies?: boolean } = {}): Promise<FaultProxy> {
  let mode: ProxyMode = { kind: 'pass' };
  let requests = 0;
  const bodies: string[] = [];
  const sockets = new Set<Socket>();

  const forward = async (request: IncomingMessage, response: ServerResponse, body: Buffer): Promise<void> => {
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers)) {
      // Hop-by-hop headers belong to this connection, not the one to the subgraph.
      if (value === undefined || name === 'host' || name === 'connection' || name === 'content-length') continue;
      headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const upstream = await fetch(target, { method: request.method ?? 'POST', headers, ...(body.length > 0 ? { body: new Uint8Array(body) } : {}) });
    const text = Buffer.from(await upstream.arrayBuffer());
    response.writeHead(upstream.status, {
      'content-type': upstream.headers.get('content-type') ?? 'application/json',
      'content-length': String(text.length),
    });
    response.end(text);
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    requests += 1;
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    if (options.keepBodies) bodies.push(body.toString('utf8'));
    const current = mode;
    switch (current.kind) {
      case 'pass':
        return forward(request, response, body);
      case 'delay':
        await sleep(current.ms);
        return forward(request, response, body);
      case 'hang':
        // Never answers; the socket is destroyed when the proxy closes.
        return;
      case 'reset': {
        // A response that starts (status line, headers, the first bytes of the body) and then
        // loses its connection, as when the subgraph's process is killed while writing.
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': '4096' });
        response.write('{"data":{"_entities":[');
        await sleep(20);
        response.socket?.destroy();
        return;
      }
      case 'status':
        response.writeHead(current.status, { 'content-type': 'text/html' });
        response.end(`<html><body>${current.status}: upstream unavailable</body></html>`);
        return;
    }
  };

  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(502).end();
      else response.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    port,
    get requests() {
      return requests;
    },
    bodies,
    set(next) {
      mode = next;
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
