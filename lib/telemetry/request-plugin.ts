import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { RequestTelemetry } from './request-telemetry.js';

/**
 * The Apollo plugin that tells a request's telemetry what Apollo alone knows: the operation's
 * name and type, when execution starts and ends, and the codes of the errors the client gets.
 * Place it after every plugin that rewrites the response (the gateway's audit wait): it reads
 * the answer as sent.
 */
export function useRequestTelemetry<C extends BaseContext>(telemetryOf: (context: C) => RequestTelemetry | undefined): ApolloServerPlugin<C> {
  return {
    async requestDidStart({ contextValue }) {
      const telemetry = telemetryOf(contextValue);
      if (!telemetry) return;
      return {
        async didResolveOperation({ operationName, operation }) {
          telemetry.named(operationName, operation?.operation);
        },
        async executionDidStart() {
          telemetry.executionStarted();
        },
        async willSendResponse({ response }) {
          telemetry.executionEnded();
          // Formatted errors by now: the codes the client sees (internal ones already masked).
          const errors = response.body.kind === 'single' ? (response.body.singleResult.errors ?? []) : [];
          const codes: string[] = [];
          for (const error of errors) {
            const code = error.extensions?.['code'];
            codes.push(typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR');
          }
          telemetry.answered(codes);
        },
      };
    },
  };
}
