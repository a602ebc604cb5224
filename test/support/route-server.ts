import { createServer, request, type Server } from 'node:http';
import type { Route } from '../../gateway/static-build.js';

/** What came back from a raw request: status, headers and the body as text. */
export interface RawAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** A raw HTTP request: the path goes out exactly as written (fetch would normalise `..`). */
export function rawGet(port: number, path: string, options: { method?: string; accept?: string } = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.accept ? { accept: options.accept } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** One gateway route alone on a loopback port; what it leaves is answered 418, standing for GraphQL. */
export async function serveRoute(route: Route): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    route(req, res)
      .then((handled) => {
        if (!handled) {
          res.writeHead(418);
          res.end('left to the gateway');
        }
      })
      .catch(() => {
        res.writeHead(500);
        res.end();
      });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  return {
    server,
    port: typeof address === 'object' && address !== null ? address.port : 0,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}
