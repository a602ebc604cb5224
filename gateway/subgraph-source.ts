import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLError } from 'graphql';
import { AUDIT_UNAVAILABLE_MESSAGE } from '../lib/audit/writer.js';
import { TributaryError } from '../lib/errors.js';
import { GATEWAY_IDENTITY_HEADER, JUSTIFICATION_HEADER, PURPOSE_HEADER } from '../lib/identity/index.js';
import { REQUEST_ID_HEADER } from '../lib/server/request-id.js';
import type { GatewayContext } from './context.js';
import { httpFetcher } from './http-fetcher.js';

export interface SubgraphSourceOptions {
  readonly name: string;
  readonly url: string;
  readonly timeoutMs: number;
  /** Send the gateway's signed identity on every call (subgraphs with REQUIRE_GATEWAY_IDENTITY demand it). */
  readonly signIdentity: boolean;
}

/**
 * How the gateway calls a subgraph: it forwards the caller's own token, purpose and
 * justification (each subgraph verifies them itself: the gateway is never the only guard) and
 * the request id that ties the audit entries of one request together.
 */
export class SubgraphSource extends RemoteGraphQLDataSource<GatewayContext> {
  private readonly options: SubgraphSourceOptions;

  constructor(options: SubgraphSourceOptions) {
    // With a deadline: a subgraph that hangs costs one timeout, never the gateway.
    super({ url: options.url, fetcher: httpFetcher({ timeoutMs: options.timeoutMs }) });
    this.options = options;
  }

  override async willSendRequest(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<void> {
    const { request } = options;
    const context = options.context as Partial<GatewayContext>;
    if (!request.http || !context.forward) return;
    const { headers } = request.http;
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
    // A subgraph refuses a malformed argument before execution with 400 (argument-checks.ts).
    // The gateway checks the same arguments first, so this is a value the plan itself carried
    // (an entity key, say): the client gets the subgraph's message, which names the argument,
    // rather than Apollo's bare "400: Bad Request" masked as an internal error.
    const refusal = error instanceof GraphQLError && status === 400 ? bodyErrorsOf(error)[0] : undefined;
    if (refusal?.code === 'BAD_USER_INPUT' && typeof refusal.message === 'string') {
      throw new TributaryError('BAD_USER_INPUT', refusal.message, { details: { service: this.options.name }, cause: error });
    }
    if (error instanceof GraphQLError && (status === undefined || status < 500)) throw error;
    // A subgraph that could not audit answers 503 with AUDIT_UNAVAILABLE (SPEC 8): the service is
    // up, its records were withheld. The client gets that code (503, retry-after) rather than
    // "unavailable", and the other subgraphs' fields as usual.
    if (error instanceof GraphQLError && status === 503 && bodyErrorsOf(error).some((item) => item.code === 'AUDIT_UNAVAILABLE')) {
      throw new TributaryError('AUDIT_UNAVAILABLE', AUDIT_UNAVAILABLE_MESSAGE, {
        details: { service: this.options.name },
        cause: error,
      });
    }
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

/** The message and `extensions.code` of each error in the failed response's body (parsed JSON, or text). */
function bodyErrorsOf(error: GraphQLError): { readonly message: unknown; readonly code: unknown }[] {
  const response = error.extensions['response'];
  if (typeof response !== 'object' || response === null || !('body' in response)) return [];
  const { body } = response;
  if (typeof body !== 'object' || body === null || !('errors' in body) || !Array.isArray(body.errors)) return [];
  return (body.errors as unknown[]).map((item) => {
    if (typeof item !== 'object' || item === null) return { message: undefined, code: undefined };
    const message = 'message' in item ? item.message : undefined;
    const extensions = 'extensions' in item && typeof item.extensions === 'object' && item.extensions !== null ? item.extensions : {};
    return { message, code: 'code' in extensions ? extensions.code : undefined };
  });
}
