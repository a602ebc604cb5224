import { GraphQLError, type ASTNode } from 'graphql';

/**
 * Every error Tributary raises on purpose carries one of these codes. Clients switch on
 * `extensions.code`; the list is pinned by SPEC section 7 (plus RATE_LIMITED and
 * SERVICE_UNAVAILABLE, which the spec leaves to the team, and PERSISTED_QUERY_NOT_FOUND, Apollo's
 * code for a persisted-operation hash it does not know, which Apollo clients react to).
 */
export const ERROR_CODES = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'PURPOSE_REQUIRED',
  'REDACTED',
  'BAD_USER_INPUT',
  'AUDIT_UNAVAILABLE',
  'OPERATION_LIMIT',
  'RATE_LIMITED',
  'SERVICE_UNAVAILABLE',
  'OPERATION_NOT_ALLOWED',
  'PERSISTED_QUERY_NOT_FOUND',
  'INTERNAL_SERVER_ERROR',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * HTTP status for errors that refuse a whole request before execution. Errors raised inside
 * execution (a withheld field, a failed write) leave the status at 200 so that partial data
 * and the other fields' values still reach the client, and so that a gateway reading a
 * subgraph's answer sees a GraphQL response rather than a transport failure.
 */
const HTTP_STATUS: Partial<Record<ErrorCode, number>> = {
  UNAUTHENTICATED: 401,
  PURPOSE_REQUIRED: 403,
  OPERATION_LIMIT: 400,
  RATE_LIMITED: 429,
  // 403, not 400: the request is well formed and its caller authenticated; the deployment's
  // allowlist (PERSISTED_OPERATIONS_ONLY) refuses it, and resending it unchanged never helps.
  OPERATION_NOT_ALLOWED: 403,
  // 400 where Apollo answers 200: the request as sent cannot run (SPEC's bad-input rule).
  PERSISTED_QUERY_NOT_FOUND: 400,
  // Wherever it is raised: no audit, no answer (SPEC 6), and the client should come back later.
  // A subgraph's 503 reaches the gateway as a transport failure, which SubgraphSource turns
  // back into AUDIT_UNAVAILABLE by reading the body.
  AUDIT_UNAVAILABLE: 503,
};

/** Seconds a client should wait before retrying a request refused with AUDIT_UNAVAILABLE. */
export const AUDIT_RETRY_AFTER_SECONDS = 5;

/** Response headers that go with a code's status (Apollo reads `extensions.http.headers`, a Map). */
const HTTP_HEADERS: Partial<Record<ErrorCode, ReadonlyMap<string, string>>> = {
  AUDIT_UNAVAILABLE: new Map([['retry-after', String(AUDIT_RETRY_AFTER_SECONDS)]]),
};

export interface TributaryErrorOptions {
  /** Extra, client-safe details (never secrets or internals): e.g. `rule`, `limit`, `retryAfter`. */
  readonly details?: Readonly<Record<string, string | number | boolean | readonly string[]>>;
  readonly cause?: unknown;
  /**
   * The HTTP status when this error refuses the whole request before execution, where the code
   * alone does not say (a malformed argument is 400 before execution, but 200 beside partial
   * data when a resolver finds it).
   */
  readonly httpStatus?: number;
  /** Where in the operation the error is (its `locations`): the argument a malformed value sits in. */
  readonly nodes?: ASTNode;
}

/**
 * The one error type of the project. It is a GraphQLError so that Apollo Server turns it into
 * `errors[i].extensions.code` without a mapping table elsewhere; `cause` keeps what went wrong
 * underneath for the logs (it is never sent to clients).
 */
export class TributaryError extends GraphQLError {
  readonly code: ErrorCode;
  private readonly status: number | undefined;

  constructor(code: ErrorCode, message: string, options: TributaryErrorOptions = {}) {
    const status = options.httpStatus ?? HTTP_STATUS[code];
    const headers = HTTP_HEADERS[code];
    super(message, {
      extensions: {
        code,
        ...(options.details ?? {}),
        ...(status === undefined ? {} : { http: { status } }),
      },
      ...(options.cause instanceof Error ? { originalError: options.cause } : {}),
      ...(options.nodes === undefined ? {} : { nodes: options.nodes }),
    });
    this.name = 'TributaryError';
    this.code = code;
    this.status = status;
    // Read (and removed before the client sees the error) by Apollo Server, which wants a Map
    // where graphql's typing of `extensions.http` says a record: hence after construction.
    if (status !== undefined && headers !== undefined) Object.assign(this.extensions, { http: { status, headers: new Map(headers) } });
    if (options.cause !== undefined) this.cause = options.cause;
  }

  get httpStatus(): number {
    return this.status ?? 200;
  }

  /** Headers the response refused with this error carries (`retry-after`). */
  get httpHeaders(): ReadonlyMap<string, string> {
    return HTTP_HEADERS[this.code] ?? new Map();
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

/** Makes `switch` statements exhaustive: the compiler rejects a call that can be reached. */
export class UnreachableCaseError extends Error {
  constructor(value: never) {
    super(`Unreachable case: ${JSON.stringify(value)}`);
  }
}

export const badInput = (message: string, details?: TributaryErrorOptions['details']): TributaryError =>
  new TributaryError('BAD_USER_INPUT', message, details ? { details } : {});

/**
 * A malformed argument found before execution (lib/server/argument-checks.ts, the page-size
 * limit): the whole request is refused with HTTP 400, and nothing was read or written.
 */
export const malformedArgument = (message: string, details: TributaryErrorOptions['details'], nodes?: ASTNode): TributaryError =>
  new TributaryError('BAD_USER_INPUT', message, { httpStatus: 400, ...(details ? { details } : {}), ...(nodes === undefined ? {} : { nodes }) });
