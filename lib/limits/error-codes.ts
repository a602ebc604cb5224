import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { GraphQLError } from 'graphql';
import { TributaryError } from '../../lib/errors.js';
import { tokenLimitError, tokenLimitOfParseError } from './tokens.js';

/**
 * Apollo Server plugin that keeps our error codes on refusals Apollo rewraps. Load-bearing: list
 * it with the limit rules, or clients see `GRAPHQL_VALIDATION_FAILED` instead of
 * `OPERATION_LIMIT`. Apollo wraps every validation error in its own `ValidationError`, whose
 * `extensions.code` overrides the one our rules set (the rest of `extensions`, `limit`, `max`,
 * `actual`, HTTP 400, is kept), and reports the parser's token-limit abort as
 * `GRAPHQL_PARSE_FAILED`. `didEncounterErrors` sees those errors before they are formatted, so
 * restoring the code there reaches the client and `formatError` alike. List it before plugins
 * that log or audit errors by code: hooks start in the order plugins are listed.
 */
export function useLimitErrorCodes<C extends BaseContext = BaseContext>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors }) {
          for (const error of errors) restoreCode(error);
        },
      };
    },
  };
}

function restoreCode(error: GraphQLError): void {
  // Our own error, thrown as is (from a plugin hook, say), already carries its code; its
  // `originalError` is then its cause, whose code must not replace it.
  if (error instanceof TributaryError) return;
  const original = error.originalError;
  if (original instanceof TributaryError) {
    if (error.extensions['code'] !== original.code) Object.assign(error.extensions, original.extensions);
    return;
  }
  if (error.extensions['code'] === 'GRAPHQL_PARSE_FAILED') {
    const limit = tokenLimitOfParseError(error);
    if (limit === undefined) return;
    const refusal = tokenLimitError(limit);
    error.message = refusal.message;
    Object.assign(error.extensions, refusal.extensions);
  }
}
