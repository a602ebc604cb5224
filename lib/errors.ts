import { GraphQLError } from 'graphql';

/**
 * Every error Tributary raises on purpose carries one of these codes. Clients switch on
 * `extensions.code`; the list is pinned by SPEC section 7 (plus RATE_LIMITED and
 * SERVICE_UNAVAILABLE, which the spec leaves to the team).
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
};

export interface TributaryErrorOptions {
  /** Extra, client-safe details (never secrets or internals): e.g. `rule`, `limit`, `retryAfter`. */
  readonly details?: Readonly<Record<string, string | number | boolean | readonly string[]>>;
  readonly cause?: unknown;
}

/**
 * The one error type of the project. It is a GraphQLError so that Apollo Server turns it into
 * `errors[i].extensions.code` without a mapping table elsewhere; `cause` keeps what went wrong
 * underneath for the logs (it is never sent to clients).
 */
export class TributaryError extends GraphQLError {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options: TributaryErrorOptions = {}) {
    super(message, {
      extensions: {
        code,
        ...(options.details ?? {}),
        ...(HTTP_STATUS[code] === undefined ? {} : { http: { status: HTTP_STATUS[code] } }),
      },
      ...(options.cause instanceof Error ? { originalError: options.cause } : {}),
    });
    this.name = 'TributaryError';
    this.code = code;
    if (options.cause !== undefined) this.cause = options.cause;
  }

  get httpStatus(): number {
    return HTTP_STATUS[this.code] ?? 200;
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
