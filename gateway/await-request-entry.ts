import type { ApolloServerPlugin } from '@apollo/server';
import { auditUnavailable } from '../lib/audit/writer.js';
import { TributaryError } from '../lib/errors.js';
import type { Logger } from '../lib/log.js';
import { formatError } from '../lib/server/mask-errors.js';
import type { GatewayContext } from './context.js';

/**
 * The commit of a request's entry, carried by its context under a symbol: Apollo copies the
 * context for each operation (a batch has several), and a symbol-keyed property is copied along.
 */
export const REQUEST_ENTRY = Symbol('tributary.requestEntry');

function requestEntryOf(context: GatewayContext): Promise<void> | undefined {
  if (!(REQUEST_ENTRY in context)) return undefined;
  const committed = context[REQUEST_ENTRY];
  return committed instanceof Promise ? (committed as Promise<void>) : undefined;
}

/**
 * Fail closed on the request-level audit entry (see the context): a write waits for it before
 * it runs, since a write that ran while its entry failed would be repeated by a retrying
 * client; every response waits for it before it is sent, and becomes AUDIT_UNAVAILABLE, with
 * no data, when the entry could not be committed.
 */
export function awaitRequestEntry(log: Logger): ApolloServerPlugin<GatewayContext> {
  const failure = (error: unknown): TributaryError => (error instanceof TributaryError ? error : auditUnavailable(error));
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, contextValue }) {
          if (operation?.operation !== 'query') await requestEntryOf(contextValue);
        },
        async willSendResponse({ response, contextValue }) {
          const committed = requestEntryOf(contextValue);
          if (committed === undefined) return;
          try {
            await committed;
          } catch (error) {
            const refusal = failure(error);
            log.error({ err: error, requestId: contextValue.requestId }, refusal.message);
            response.body = { kind: 'single', singleResult: { errors: [formatError(refusal.toJSON())] } };
            response.http.status = refusal.httpStatus;
            for (const [name, value] of refusal.httpHeaders) response.http.headers.set(name, value);
          }
        },
      };
    },
  };
}
