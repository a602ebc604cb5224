import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpFetcher } from '../../gateway/http-fetcher.js';

type Handler = (request: IncomingMessage, body: string, response: ServerResponse) => void;

/** A loopback server whose behaviour each test sets; it records the socket each request came on. */
let server: Server;
let base: string;
let handler: Handler = (_request, _body, response) => response.end();
const sockets: unknown[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    sockets.push(request.socket);
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => handler(request, Buffer.concat(chunks).toString('utf8'), response));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((done) => server.close(() => done()));
});

const postJson = { method: 'POST', headers: { 'content-type': 'application/json', 'x-purpose-of-use': 'HUMANITARIAN' }, body: '{"query":"{ x }"}' };

describe('the gateway HTTP fetcher', () => {
  it('posts the body with its headers and hands back the answer, JSON and headers alike', async () => {
    handler = (request, body, response) => {
      response.setHeader('Content-Type', 'application/json');
      response.end(JSON.stringify({ data: { body, purpose: request.headers['x-purpose-of-use'], method: request.method } }));
    };
    const answer = await httpFetcher({ timeoutMs: 1_000 })(`${base}/graphql`, postJson);
    expect(answer.ok).toBe(true);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/json');
    expect(answer.headers.get('Content-Type')).toBe('application/json');
    expect(await answer.json()).toEqual({ data: { body: '{"query":"{ x }"}', purpose: 'HUMANITARIAN', method: 'POST' } });
    await expect(answer.text()).rejects.toThrow(/already been read/);
  });

  it('reuses one connection for consecutive calls', async () => {
    handler = (_request, _body, response) => response.end('{}');
    const fetcher = httpFetcher({ timeoutMs: 1_000 });
    const before = sockets.length;
    await (await fetcher(`${base}/graphql`, postJson)).text();
    await (await fetcher(`${base}/graphql`, postJson)).text();
    expect(sockets.length - before).toBe(2);
    expect(sockets.at(-1)).toBe(sockets.at(-2));
  });

  it('answers an HTTP error status as a response, with its body, for Apollo to judge', async () => {
    handler = (_request, _body, response) => {
      response.writeHead(502, 'Bad Gateway', { 'content-type': 'text/html' });
      response.end('<html>upstream down</html>');
    };
    const answer = await httpFetcher({ timeoutMs: 1_000 })(`${base}/graphql`, postJson);
    expect(answer).toMatchObject({ ok: false, status: 502, statusText: 'Bad Gateway', url: `${base}/graphql` });
    expect(await answer.clone().text()).toBe('<html>upstream down</html>');
  });

  it('fails with a TimeoutError when no answer comes within the deadline', async () => {
    handler = () => undefined;
    const started = Date.now();
    const error: unknown = await httpFetcher({ timeoutMs: 200 })(`${base}/graphql`, postJson).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('TimeoutError');
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('fails (not with a timeout) when the connection is cut mid-answer', async () => {
    handler = (_request, _body, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      response.write('{"data":');
      setTimeout(() => response.socket?.destroy(), 20);
    };
    const error: unknown = await httpFetcher({ timeoutMs: 1_000 })(`${base}/graphql`, postJson).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).not.toBe('TimeoutError');
  });

  it('fails (not with a timeout) when nothing listens on the port', async () => {
    const error: unknown = await httpFetcher({ timeoutMs: 1_000 })('http://127.0.0.1:1/graphql', postJson).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ECONNREFUSED' });
  });
});
