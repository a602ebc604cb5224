import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import { isErrorCode } from '../errors.js';

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

/**
 * The one place errors are shaped for clients: our own codes and Apollo's request errors keep
 * their message (minus field suggestions); everything else (SQL, stack traces, file paths,
 * library internals) becomes a generic message. The whole error is logged where it happens
 * (`logErrors`), with the request id.
 */
export function formatError(formatted: GraphQLFormattedError): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  const known = isErrorCode(code) && code !== 'INTERNAL_SERVER_ERROR';
  if (known || (typeof code === 'string' && CLIENT_FACING_APOLLO_CODES.has(code))) {
    const { stacktrace: _stack, exception: _exception, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, message: formatted.message.replace(SUGGESTION, ''), extensions };
  }
  return {
    message: 'Internal error: the request could not be completed (see the service logs for its request id)',
    ...(formatted.path ? { path: formatted.path } : {}),
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    extensions: { code: 'INTERNAL_SERVER_ERROR', ...(typeof formatted.extensions?.serviceName === 'string' ? { serviceName: formatted.extensions.serviceName } : {}) },
  };
}

/** Logs every error whole (with cause and stack) before `formatError` masks it for the client. */
export function logErrors<C extends BaseContext>(log: Logger, requestIdOf: (context: C) => string | undefined): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          for (const error of errors) {
            const code = error.extensions.code;
            const expected = isErrorCode(code) && code !== 'INTERNAL_SERVER_ERROR';
            (expected ? log.debug.bind(log) : log.error.bind(log))(
              { requestId: requestIdOf(contextValue), err: error.originalError ?? error, path: error.path, code },
              error.message,
            );
          }
        },
      };
    },
  };
}
