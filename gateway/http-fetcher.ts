import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Fetcher, FetcherHeaders, FetcherRequestInit, FetcherResponse } from '@apollo/utils.fetcher';

export interface HttpFetcherOptions {
  /** The whole exchange, connection to last byte of the answer, must fit in this. */
  readonly timeoutMs: number;
}

/**
 * Idle keep-alive connections are dropped after this long. Below the 5 s our own services (and
 * Node's default) keep them: a connection the server closes just as it is reused would fail
 * that request. Node also honours a shorter `Keep-Alive: timeout=` the server announces.
 */
const IDLE_SOCKET_MS = 4_000;

/**
 * The gateway's HTTP client for subgraph calls, on `node:http` with keep-alive connections.
 * Node's global `fetch` (undici) costs several times the CPU per call for what the gateway needs
 * (WHATWG Request, Response and streams around every call, for one JSON POST and one buffered
 * JSON answer), and a gateway makes several such calls for each request it serves.
 *
 * Errors keep the shape `SubgraphSource.didEncounterError` tells apart: a deadline passed is an
 * error named `TimeoutError` (as `AbortSignal.timeout` gives fetch); a refused or reset
 * connection is Node's own network error; any HTTP status is an answer, for Apollo to judge.
 * `init.signal` is not supported: Apollo's data source does not pass one.
 */
export function httpFetcher(options: HttpFetcherOptions): Fetcher {
  const agents = {
    'http:': new HttpAgent({ keepAlive: true, timeout: IDLE_SOCKET_MS }),
    'https:': new HttpsAgent({ keepAlive: true, timeout: IDLE_SOCKET_MS }),
  } as const;
  // A data source calls one URL, its subgraph's: parsed once, not on every call.
  let last: { readonly url: string; readonly target: URL } | undefined;
  return (url, init) => {
    if (last?.url !== url) last = { url, target: new URL(url) };
    return send(last.target, url, init ?? {}, agents, options.timeoutMs);
  };
}

function send(
  target: URL,
  url: string,
  init: FetcherRequestInit,
  agents: { readonly 'http:': HttpAgent; readonly 'https:': HttpsAgent },
  timeoutMs: number,
): Promise<FetcherResponse> {
  return new Promise((resolve, reject) => {
    const secure = target.protocol === 'https:';
    if (!secure && target.protocol !== 'http:') {
      reject(new TypeError(`Unsupported protocol ${target.protocol} for a subgraph URL`));
      return;
    }
    // A string body is kept a string: Node then sends it in one write with the headers.
    const { body } = init;
    const headers: Record<string, string> = { ...init.headers };
    if (body !== undefined) headers['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.length);

    let settled = false;
    const settle = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      outcome();
    };
    const fail = (error: Error): void => settle(() => reject(error));

    const requestOptions = { method: init.method ?? 'GET', headers };
    const onResponse = (response: IncomingMessage): void => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', fail);
      response.on('end', () => {
        const answer = new BufferedResponse(url, response.statusCode ?? 0, response.statusMessage ?? '', headersOf(response), Buffer.concat(chunks));
        settle(() => resolve(answer));
      });
      // A connection cut mid-body closes the response without 'end' (and without 'error' on
      // some Node versions): it is a failure, never a truncated answer.
      response.on('close', () => fail(new Error('the connection closed before the whole answer arrived')));
    };
    const outgoing = secure
      ? httpsRequest(target, { ...requestOptions, agent: agents['https:'] }, onResponse)
      : httpRequest(target, { ...requestOptions, agent: agents['http:'] }, onResponse);

    const deadline = setTimeout(() => {
      const timedOut = new Error(`no answer within ${timeoutMs} ms`);
      timedOut.name = 'TimeoutError';
      fail(timedOut);
      outgoing.destroy();
    }, timeoutMs);

    outgoing.on('error', fail);
    outgoing.end(body);
  });
}

/** The subgraph's answer, read whole: all Apollo's data source does with it is parse its JSON once. */
class BufferedResponse implements FetcherResponse {
  readonly url: string;
  readonly status: number;
  readonly statusText: string;
  readonly headers: FetcherHeaders;
  readonly redirected = false;
  private readonly body: Buffer;
  private used = false;

  constructor(url: string, status: number, statusText: string, headers: FetcherHeaders, body: Buffer) {
    this.url = url;
    this.status = status;
    this.statusText = statusText;
    this.headers = headers;
    this.body = body;
  }

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  get bodyUsed(): boolean {
    return this.used;
  }

  async text(): Promise<string> {
    return this.consume().toString('utf8');
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text()) as unknown;
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = this.consume();
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  clone(): FetcherResponse {
    if (this.used) throw new TypeError('Response.clone: the body has already been read');
    return new BufferedResponse(this.url, this.status, this.statusText, this.headers, this.body);
  }

  /** As with fetch, a body is read once. */
  private consume(): Buffer {
    if (this.used) throw new TypeError('Body has already been read');
    this.used = true;
    return this.body;
  }
}

/** Node's header object as the WHATWG Headers Apollo's data source expects (case-insensitive `get`). */
function headersOf(response: IncomingMessage): FetcherHeaders {
  const headers = new Headers();
  for (const [name, value] of Object.entries(response.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else headers.append(name, value);
  }
  return headers;
}
