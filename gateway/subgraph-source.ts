import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { SpanKind, SpanStatusCode, type Span } from '@opentelemetry/api';
import { GraphQLError } from 'graphql';
import { isErrorCode, TributaryError } from '../lib/errors.js';
import { GATEWAY_IDENTITY_HEADER, JUSTIFICATION_HEADER, PURPOSE_HEADER } from '../lib/identity/index.js';
import { REQUEST_ID_HEADER } from '../lib/server/request-id.js';
import { codeOf, OK_OUTCOME, type ServiceMetrics } from '../lib/telemetry/index.js';
import type { GatewayContext } from './context.js';
import { httpFetcher } from './http-fetcher.js';

export interface SubgraphSourceOptions {
  readonly name: string;
  readonly url: string;
  readonly timeoutMs: number;
  /** Send the gateway's signed identity on every call (subgraphs with REQUIRE_GATEWAY_IDENTITY demand it). */
  readonly signIdentity: boolean;
  /** The gateway's metrics: each fetch's latency by subgraph and outcome. */
  readonly metrics?: ServiceMetrics;
}

/**
 * How the gateway calls a subgraph: it forwards the caller's own token, purpose and
 * justification (each subgraph verifies them itself: the gateway is never the only guard) and
 * the request id that ties the audit entries of one request together.
 */
export class SubgraphSource extends RemoteGraphQLDataSource<GatewayContext> {
  private readonly options: SubgraphSourceOptions;
  /** Each traced fetch's span, by its request, so that willSendRequest can name it as the subgraph's parent. */
  private readonly spans = new WeakMap<GraphQLDataSourceProcessOptions<GatewayContext>['request'], Span>();

  constructor(options: SubgraphSourceOptions) {
    // With a deadline: a subgraph that hangs costs one timeout, never the gateway.
    super({ url: options.url, fetcher: httpFetcher({ timeoutMs: options.timeoutMs }) });
    this.options = options;
  }

  /** One fetch, timed by subgraph and outcome, and traced as a client span when tracing is on. */
  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): ReturnType<RemoteGraphQLDataSource['process']> {
    const { telemetry } = options.context as Partial<GatewayContext>;
    const span = telemetry?.startSpan('gateway.fetch', { 'tributary.subgraph': this.options.name }, undefined, SpanKind.CLIENT);
    if (span) this.spans.set(options.request, span);
    const started = performance.now();
    let outcome = OK_OUTCOME;
    try {
      return await super.process(options);
    } catch (error) {
      outcome = error instanceof GraphQLError && typeof error.extensions['code'] === 'string' ? error.extensions['code'] : codeOf(error);
      span?.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
      throw error;
    } finally {
      this.options.metrics?.subgraphDuration.observe({ subgraph: this.options.name, outcome }, (performance.now() - started) / 1000);
      span?.end();
    }
  }

  override async willSendRequest(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<void> {
    const { request } = options;
    const context = options.context as Partial<GatewayContext>;
    if (!request.http || !context.forward) return;
    const { headers } = request.http;
    // W3C trace context: the subgraph's spans continue this request's trace under this fetch.
    context.telemetry?.propagate(this.spans.get(request), (name, value) => headers.set(name, value));
    headers.set('authorization', context.forward.authorization);
    headers.set(PURPOSE_HEADER, context.forward.purpose);
    if (context.forward.justification !== null) headers.set(JUSTIFICATION_HEADER, context.forward.justification);
    if (context.requestId) {
      headers.set(REQUEST_ID_HEADER, context.requestId);
      if (this.options.signIdentity) headers.set(GATEWAY_IDENTITY_HEADER, await context.forward.gatewayIdentity());
    }
  }

  override didEncounterError(error: Error): void {
    // A GraphQL answer (even one of errors) passes through as the subgraph gave it; a bare
    // HTTP failure (a proxy's 502 page, say) is the service being unavailable, and says which.
    const status = error instanceof GraphQLError ? httpStatusOf(error) : undefined;
    // A refusal the subgraph answered itself is passed on with its own code and message (Apollo
    // would report it as "400: Bad Request", masked): a 4xx (one of its operation limits, say),
    // or a 503 AUDIT_UNAVAILABLE (SPEC 8) — the service is up, its records were withheld, so the
    // client gets that code (503, retry-after) rather than "unavailable", and the other
    // subgraphs' fields as usual.
    const refusal = error instanceof GraphQLError && status !== undefined ? refusalOf(error, this.options.name) : undefined;
    if (refusal && (status === undefined || status < 500 || refusal.code === 'AUDIT_UNAVAILABLE')) throw refusal;
    if (error instanceof GraphQLError && (status === undefined || status < 500)) throw error;
    if (status !== undefined) {
      throw new TributaryError('SERVICE_UNAVAILABLE', `The ${this.options.name} service answered HTTP ${status}; its fields are missing from this response`, {
        details: { service: this.options.name },
        cause: error,
      });
    }
    const timedOut = error.name === 'TimeoutError' || error.name === 'AbortError';
    throw new TributaryError(
      'SERVICE_UNAVAILABLE',
      timedOut
        ? `The ${this.options.name} service did not answer within ${this.options.timeoutMs} ms; its fields are missing from this response`
        : `The ${this.options.name} service is unreachable; its fields are missing from this response`,
      { details: { service: this.options.name }, cause: error },
    );
  }
}

/** RemoteGraphQLDataSource puts the failed response's status under `extensions.response`. */
function httpStatusOf(error: GraphQLError): number | undefined {
  const response = error.extensions['response'];
  if (typeof response !== 'object' || response === null || !('status' in response)) return undefined;
  return typeof response.status === 'number' ? response.status : undefined;
}

/**
 * The subgraph's own refusal inside a 4xx answer (`{ errors: [{ message, extensions: { code } }] }`,
 * under `extensions.response.body`), when its code is one of ours; `undefined` otherwise. The body
 * is the subgraph's, so only a known code and a string message are taken from it.
 */
function refusalOf(error: GraphQLError, service: string): TributaryError | undefined {
  const response = error.extensions['response'];
  const body = typeof response === 'object' && response !== null && 'body' in response ? response.body : undefined;
  const errors = typeof body === 'object' && body !== null && 'errors' in body ? body.errors : undefined;
  const first: unknown = Array.isArray(errors) ? errors[0] : undefined;
  if (typeof first !== 'object' || first === null || !('message' in first) || typeof first.message !== 'string') return undefined;
  const extensions = 'extensions' in first && typeof first.extensions === 'object' && first.extensions !== null ? first.extensions : {};
  const code = 'code' in extensions ? extensions.code : undefined;
  if (!isErrorCode(code) || code === 'INTERNAL_SERVER_ERROR') return undefined;
  const limit = 'limit' in extensions && typeof extensions.limit === 'string' ? { limit: extensions.limit } : {};
  return new TributaryError(code, first.message, { details: { service, ...limit }, cause: error });
}
