import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { GraphQLError, GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import { isErrorCode } from '../errors.js';
import { genericValidationMessage } from './validation-messages.js';

/** Codes Apollo itself uses for problems with the request, whose messages are safe to show. */
const CLIENT_FACING_APOLLO_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

/** "Did you mean ...?" leaks the schema to a caller who is probing it. */
const SUGGESTION = /\s*Did you mean .*$/s;

/** The message every unexpected error is masked with; `extensions.requestId` finds it in the logs. */
export const INTERNAL_ERROR_MESSAGE = 'Internal error: the request could not be completed (see the service logs for its request id)';

export interface ErrorFormatOptions {
  /** Production: validation messages that name schema types are made generic (validation-messages.ts). */
  readonly production: boolean;
}

/**
 * The one place errors are shaped for clients: our own codes and Apollo's request errors keep
 * their message (minus field suggestions, and in production minus the schema's type names);
 * everything else (SQL, stack traces, file paths, library internals) becomes a generic message.
 * The whole error is logged where it happens (`logErrors`), and the HTTP layer adds the request
 * id to the masked message (lib/server/http.ts), where every path a response takes passes.
 */
export function errorFormatter(options: ErrorFormatOptions): (formatted: GraphQLFormattedError) => GraphQLFormattedError {
  return (formatted) => {
    const code = formatted.extensions?.code;
    const known = isErrorCode(code) && code !== 'INTERNAL_SERVER_ERROR';
    if (known || (typeof code === 'string' && CLIENT_FACING_APOLLO_CODES.has(code))) {
      // `http` is Apollo's instruction to the HTTP layer (status, retry-after), never the client's.
      const { stacktrace: _stack, exception: _exception, http: _http, ...extensions } = formatted.extensions ?? {};
      const message = formatted.message.replace(SUGGESTION, '');
      return { ...formatted, message: options.production ? genericValidationMessage(message) : message, extensions };
    }
    return {
      message: INTERNAL_ERROR_MESSAGE,
      ...(formatted.path ? { path: formatted.path } : {}),
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      extensions: { code: 'INTERNAL_SERVER_ERROR', ...(typeof formatted.extensions?.serviceName === 'string' ? { serviceName: formatted.extensions.serviceName } : {}) },
    };
  };
}

/** Development's formatter: graphql-js's full messages, suggestions excepted. */
export const formatError = errorFormatter({ production: false });

/**
 * The client's own mistakes: refused as asked, nothing went wrong here. They are logged below
 * error level and without a stack trace (an attacker's probes must not flood the error log, and
 * their stacks say nothing); REDACTED is routine policy, at debug.
 */
const CLIENT_MISTAKES: ReadonlySet<string> = new Set([
  'BAD_USER_INPUT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'PURPOSE_REQUIRED',
  'OPERATION_LIMIT',
  'OPERATION_NOT_ALLOWED',
  'RATE_LIMITED',
  ...CLIENT_FACING_APOLLO_CODES,
]);

export type LogLevelOfError = 'debug' | 'info' | 'warn' | 'error';

export function logLevelOf(code: unknown): LogLevelOfError {
  if (code === 'REDACTED') return 'debug';
  if (typeof code === 'string' && CLIENT_MISTAKES.has(code)) return 'info';
  // A subgraph that is down or slow: the gateway answers without its fields, as designed.
  if (code === 'SERVICE_UNAVAILABLE') return 'warn';
  return 'error';
}

/**
 * Logs every error before `formatError` masks it for the client: the unexpected ones whole
 * (cause and stack) at error level, the client's mistakes by code and message only. `log` is
 * the service's logger, which already binds `service`; `requestId` is bound once per line here.
 */
export function logErrors<C extends BaseContext>(log: Logger, requestIdOf: (context: C) => string | undefined): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          for (const error of errors) logError(log, requestIdOf(contextValue), error);
        },
      };
    },
  };
}

function logError(log: Logger, requestId: string | undefined, error: GraphQLError): void {
  const code = error.extensions['code'];
  const level = logLevelOf(code);
  const where = { requestId, code, ...(error.path ? { path: error.path } : {}) };
  if (level === 'debug' || level === 'info') log[level](where, error.message);
  else log[level]({ ...where, err: error.originalError ?? error }, error.message);
}
