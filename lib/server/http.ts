import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import type { JSONWebKeySet } from 'jose';
import type { Logger } from 'pino';
import { TributaryError } from '../errors.js';
import { codeOf, type RequestTelemetry, type ServiceTelemetry } from '../telemetry/index.js';
import { formatError, INTERNAL_ERROR_MESSAGE } from './mask-errors.js';
import { REQUEST_ID_HEADER, requestIdFrom } from './request-id.js';

/** What the context builder sees of an HTTP request. */
export interface IncomingGraphQLRequest {
  readonly requestId: string;
  readonly headers: ReadonlyMap<string, string>;
  readonly body: unknown;
  /** The URL's query string (`?query=...` of a GET request). */
  readonly search: string;
  /** This request's metrics and trace (see lib/telemetry), carried into its context. */
  readonly telemetry: RequestTelemetry | undefined;
}

export interface HealthReport {
  readonly ok: boolean;
  readonly checks: Readonly<Record<string, string>>;
}

/** What admission control sees of a GraphQL request: its body is not read yet. */
export interface AdmissionRequest {
  readonly requestId: string;
  readonly headers: IncomingHttpHeaders;
  /** Aborts when the client goes away before it is answered. */
  readonly gone: AbortSignal;
}

/** Admission control's verdict (the gateway's, see gateway/admission.ts). */
export type AdmissionVerdict =
  | { readonly admitted: true; readonly release: () => void; readonly headers: Readonly<Record<string, string>> }
  | { readonly admitted: false; readonly status: number; readonly headers: Readonly<Record<string, string>>; readonly error: TributaryError };

export interface HttpServiceOptions<C extends BaseContext> {
  readonly name: string;
  readonly apollo: ApolloServer<C>;
  readonly context: (request: IncomingGraphQLRequest) => Promise<C>;
  readonly log: Logger;
  /** Larger bodies are refused with 413 before they are parsed. */
  readonly maxBodyBytes: number;
  /** Checks the parsed body before execution (the gateway caps batched operations here). */
  readonly checkBody?: (body: unknown) => void;
  /**
   * Rewrites the parsed body, after `checkBody`, before Apollo and the context see it (the
   * gateway turns persisted-operation hashes into texts); a TributaryError refuses the request.
   */
  readonly prepareBody?: (body: unknown) => unknown;
  /** Liveness (`/health`): the process answers. Depends on nothing, so a restart cannot fix what it reports. */
  readonly health: () => Promise<HealthReport>;
  /** Readiness (`/ready`): what this service needs to answer is reachable; 503 names the failing check. */
  readonly ready?: () => Promise<HealthReport>;
  /** Its metrics (served at `/metrics`) and traces. */
  readonly telemetry?: ServiceTelemetry;
  /**
   * The public keys this service signs with (the gateway's identity, the audit service's
   * checkpoints), served at `/.well-known/jwks.json` (SPEC section 2) to anyone, before
   * authentication and outside admission control: verifiers need it to authenticate anything.
   */
  readonly jwks?: () => Promise<JSONWebKeySet>;
  /** Other routes (the auditor console's files); returns false when the path is not its own. */
  readonly routes?: (request: IncomingMessage, response: ServerResponse) => Promise<boolean>;
  /**
   * Asked for each GraphQL request before its body is read (health and other routes never
   * are): an admitted request holds its place until its answer is sent or its client leaves;
   * a refused one is answered with the verdict's status, headers and error at once.
   */
  readonly admit?: (request: AdmissionRequest) => Promise<AdmissionVerdict>;
}

export interface RunningService {
  readonly url: string;
  readonly port: number;
  /** Stops accepting connections, lets in-flight requests finish, then stops Apollo. */
  close(): Promise<void>;
}

class BodyTooLarge extends Error {}

/**
 * Reads the body up to `limit` bytes. Listens to 'data' rather than iterating the stream: leaving
 * a `for await` early destroys the request, which leaves the keep-alive connection open with
 * its parser stranded mid-body, so the next request on that connection (from this client, or
 * from another one behind the same pooling proxy) hangs until the keep-alive timeout and is
 * then reset. Here an oversized body is only abandoned; the caller answers 413 and closes.
 */
function readBody(request: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > limit) {
      reject(new BodyTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (): void => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        stop();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      stop();
      resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const onError = (error: Error): void => {
      stop();
      reject(error);
    };
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
  });
}

function sendJson(response: ServerResponse, status: number, body: unknown, requestId: string, headers: Readonly<Record<string, string>> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', [REQUEST_ID_HEADER]: requestId, ...headers });
  response.end(JSON.stringify(body));
}

const errorBody = (code: string, message: string): unknown => ({ errors: [{ message, extensions: { code } }] });

export const JWKS_PATH = '/.well-known/jwks.json';
/**
 * Short, so that a retired key dropped from the set stops being trusted soon; the rotation lead
 * (KEY_PUBLICATION_LEAD_MS) covers this plus a verifier's own cache age.
 */
export const JWKS_MAX_AGE_SECONDS = 30;

async function serveJwks(jwks: () => Promise<JSONWebKeySet>, request: IncomingMessage, response: ServerResponse, requestId: string, log: Logger): Promise<void> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    sendJson(response, 405, errorBody('BAD_USER_INPUT', `${JWKS_PATH} answers GET only`), requestId, { allow: 'GET, HEAD' });
    return;
  }
  let body: string;
  try {
    body = JSON.stringify(await jwks());
  } catch (error) {
    // The key file is unreadable: say so to the verifier (which keeps its cached set) and to the operator.
    log.error({ err: error, requestId }, 'signing keys unavailable for the JWKS endpoint');
    sendJson(response, 503, errorBody('SERVICE_UNAVAILABLE', 'the signing keys are unavailable'), requestId);
    return;
  }
  response.writeHead(200, {
    'content-type': 'application/jwk-set+json',
    'cache-control': `public, max-age=${JWKS_MAX_AGE_SECONDS}`,
    [REQUEST_ID_HEADER]: requestId,
  });
  response.end(request.method === 'HEAD' ? undefined : body);
}

/**
 * The masked internal error (mask-errors.ts) carries the request id in `extensions.requestId`,
 * so that a client can quote it from the body as well as from the `x-request-id` header. Added
 * here because this is the one place every answer passes with its request id known: errors from
 * execution, from plugins and from the context alike, single and batched. Answers without an
 * internal error (nearly all) are sent as they are, unparsed.
 */
function withRequestId(body: string, requestId: string): string {
  if (!body.includes('"INTERNAL_SERVER_ERROR"')) return body;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return body;
  }
  const results = Array.isArray(parsed) ? parsed : [parsed];
  for (const result of results) {
    if (typeof result !== 'object' || result === null || !('errors' in result) || !Array.isArray(result.errors)) continue;
    for (const error of result.errors as unknown[]) {
      if (typeof error !== 'object' || error === null || !('extensions' in error)) continue;
      const { extensions } = error;
      if (typeof extensions === 'object' && extensions !== null && 'code' in extensions && extensions.code === 'INTERNAL_SERVER_ERROR') {
        Object.assign(extensions, { requestId });
      }
    }
  }
  return JSON.stringify(parsed);
}

/**
 * A small node:http integration for Apollo Server: it owns what Apollo leaves to the host
 * (body size, request ids, health, graceful shutdown) and nothing else, so every service,
 * gateway and subgraphs alike, faces the network the same way.
 */
export function serveHttp<C extends BaseContext>(options: HttpServiceOptions<C>, port: number, host: string): Promise<RunningService> {
  const { apollo, log } = options;
  let inFlight = 0;
  let draining: (() => void) | undefined;

  const handle = async (request: IncomingMessage, response: ServerResponse, requestId: string): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://service.local');
    if (url.pathname === '/health' || (url.pathname === '/ready' && options.ready)) {
      const report = await (url.pathname === '/ready' && options.ready ? options.ready() : options.health());
      sendJson(response, report.ok ? 200 : 503, { service: options.name, ...report }, requestId);
      return;
    }
    // Like /health, served to anyone and never queued by admission control: it carries no record
    // data, and its labels are bounded sets (operation names, codes, rule ids, categories),
    // never ids or subjects (lib/telemetry/metrics.ts). Keep it off the public network regardless.
    if (url.pathname === '/metrics' && options.telemetry) {
      const { contentType, body } = await options.telemetry.metrics.text();
      response.writeHead(200, { 'content-type': contentType, [REQUEST_ID_HEADER]: requestId });
      response.end(body);
      return;
    }
    if (url.pathname === JWKS_PATH && options.jwks) {
      await serveJwks(options.jwks, request, response, requestId, log);
      return;
    }
    if (options.routes && (await options.routes(request, response))) return;
    if (url.pathname !== '/graphql' && url.pathname !== '/') {
      sendJson(response, 404, errorBody('NOT_FOUND', `No route ${url.pathname}; GraphQL is served at /graphql`), requestId);
      return;
    }
    const telemetry = options.telemetry?.request(requestId, request.headers);
    if (telemetry) response.once('close', () => telemetry.finished(response.statusCode));

    let admittedAt: number | undefined;
    if (options.admit) {
      const gone = new AbortController();
      response.once('close', () => gone.abort());
      const verdict = await options.admit({ requestId, headers: request.headers, gone: gone.signal });
      if (!verdict.admitted) {
        options.telemetry?.metrics.admissionRefusals.inc({ code: verdict.error.code });
        telemetry?.refused(verdict.error.code);
        // The unread body is discarded by node once the answer is sent; the connection stays usable.
        if (!gone.signal.aborted) sendJson(response, verdict.status, { errors: [verdict.error.toJSON()] }, requestId, verdict.headers);
        return;
      }
      if (gone.signal.aborted) {
        verdict.release();
        return;
      }
      response.once('close', verdict.release);
      for (const [key, value] of Object.entries(verdict.headers)) response.setHeader(key, value);
      admittedAt = performance.now();
    }

    let body: unknown;
    if (request.method === 'POST') {
      let text: string;
      try {
        text = await readBody(request, options.maxBodyBytes);
      } catch (error) {
        if (error instanceof BodyTooLarge) {
          // Close the connection after answering: the rest of the body is still on its way, and
          // only a fresh connection starts the next request cleanly. Meanwhile discard what arrives.
          telemetry?.refused('OPERATION_LIMIT');
          sendJson(response, 413, errorBody('OPERATION_LIMIT', `Request body exceeds the limit of ${options.maxBodyBytes} bytes`), requestId, { connection: 'close' });
          request.resume();
          return;
        }
        throw error;
      }
      try {
        body = text === '' ? undefined : (JSON.parse(text) as unknown);
      } catch {
        telemetry?.refused('BAD_USER_INPUT');
        sendJson(response, 400, errorBody('BAD_USER_INPUT', 'The request body is not valid JSON'), requestId);
        return;
      }
      try {
        options.checkBody?.(body);
        if (options.prepareBody) body = options.prepareBody(body);
      } catch (error) {
        if (error instanceof TributaryError) {
          telemetry?.refused(error.code);
          // formatError drops `extensions.http` (Apollo's instruction, not the client's business).
          sendJson(response, error.httpStatus === 200 ? 400 : error.httpStatus, { errors: [formatError(error.toJSON())] }, requestId);
          return;
        }
        throw error;
      }
    }

    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(request.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    headers.set(REQUEST_ID_HEADER, requestId);
    const result = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: request.method?.toUpperCase() ?? 'GET', headers, search: url.search, body },
      // A refusal while the context is built (no token, no purpose, rate limited) never reaches
      // the plugins: its code is counted here.
      context: () =>
        options.context({ requestId, headers, body, search: url.search, telemetry }).catch((error: unknown) => {
          telemetry?.refused(codeOf(error));
          throw error;
        }),
    });
    for (const [key, value] of result.headers) response.setHeader(key, value);
    // How long an admitted request took once it had its place, beside its queue wait: what an
    // operator (and the overload test) compares with the unloaded latency.
    if (admittedAt !== undefined) response.appendHeader('server-timing', `exec;dur=${(performance.now() - admittedAt).toFixed(1)}`);
    response.setHeader(REQUEST_ID_HEADER, requestId);
    response.statusCode = result.status ?? 200;
    if (result.body.kind === 'complete') {
      response.end(withRequestId(result.body.string, requestId));
      return;
    }
    for await (const chunk of result.body.asyncIterator) response.write(chunk);
    response.end();
  };

  const server: Server = createServer((request, response) => {
    inFlight += 1;
    const requestId = requestIdFrom(request.headers[REQUEST_ID_HEADER] as string | undefined);
    handle(request, response, requestId)
      .catch((error: unknown) => {
        log.error({ err: error, requestId }, 'unhandled error in HTTP handler');
        if (!response.headersSent) sendJson(response, 500, { errors: [{ message: INTERNAL_ERROR_MESSAGE, extensions: { code: 'INTERNAL_SERVER_ERROR', requestId } }] }, requestId);
        else response.end();
      })
      .finally(() => {
        inFlight -= 1;
        if (inFlight === 0) draining?.();
      });
  });
  server.keepAliveTimeout = 5_000;

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address();
      const actualPort = typeof address === 'object' && address !== null ? address.port : port;
      resolve({
        url: `http://${host}:${actualPort}/graphql`,
        port: actualPort,
        async close() {
          const closed = new Promise<void>((done) => server.close(() => done()));
          server.closeIdleConnections();
          if (inFlight > 0) await new Promise<void>((done) => (draining = done));
          server.closeAllConnections();
          await closed;
          await apollo.stop();
          await options.telemetry?.flush();
        },
      });
    });
  });
}
