import type { ApolloServerPlugin } from '@apollo/server';
import type { DocumentNode, OperationDefinitionNode } from 'graphql';
import type { Logger } from 'pino';
import { requestEntry, type AuditWriter } from '../audit/index.js';
import type { ServiceName } from '../domain.js';
import { TributaryError } from '../errors.js';
import { GATEWAY_IDENTITY_HEADER, verifyGatewayIdentity, type GatewayIdentityKeys } from '../identity/index.js';
import { fieldsOf, fragmentsOf } from '../limits/operation.js';
import { describeOperation } from './authenticate.js';
import type { RequestContext } from './context.js';

/** Federation's schema field on every subgraph: `_service { sdl }` is the subgraph's whole SDL. */
const SERVICE_FIELD = '_service';

export interface SdlGateOptions {
  readonly service: ServiceName;
  /** `Settings.production`: only then is the SDL held back. */
  readonly production: boolean;
  readonly audit: AuditWriter;
  readonly log: Logger;
  /** Where the gateway identity's keys come from (the service's settings). */
  readonly keys: GatewayIdentityKeys;
}

/**
 * In production a subgraph hands its SDL (`_service { sdl }`) only to a request that carries the
 * gateway's signed identity for that request id (SPEC 8): the SDL is the whole schema, every
 * type, field and argument, introspection by another name, and a user token reaching the
 * subgraph directly must not map it. Anyone else is refused with FORBIDDEN (HTTP 403) before
 * anything runs, and the attempt is audited as a denied request, as a refused token is.
 *
 * Development answers every authenticated caller: `npm run compose` reads the SDL files, but
 * routers and tests that compose from running subgraphs ask `_service`.
 *
 * The gateway never asks for the SDL at run time (it loads the composed supergraph), so it
 * signs its identity only when REQUIRE_GATEWAY_IDENTITY is on; a tool that must read a
 * production subgraph's SDL signs with the gateway's key (`signGatewayIdentity`).
 */
export function useSdlGate<L>(options: SdlGateOptions): ApolloServerPlugin<RequestContext<L>> {
  return {
    async requestDidStart() {
      if (!options.production) return undefined;
      return {
        async didResolveOperation({ operation, document, request, contextValue, response }) {
          if (!operation || !asksForSdl(operation, document)) return;
          const header = request.http?.headers.get(GATEWAY_IDENTITY_HEADER);
          try {
            await verifyGatewayIdentity(header, contextValue.requestId, { keys: options.keys });
            return;
          } catch (cause) {
            const refusal = new TributaryError('FORBIDDEN', 'The subgraph schema (_service) is served only to the gateway', { cause });
            await options.audit
              .append([
                requestEntry({
                  requestId: contextValue.requestId,
                  ...describeOperation({ operationName: request.operationName, query: request.query }),
                  principal: contextValue.principal,
                  purpose: contextValue.purpose,
                  justification: contextValue.justification,
                  action: 'REQUEST',
                  decision: 'DENY',
                  service: options.service,
                  reason: `schema requested without the gateway identity: ${cause instanceof Error ? cause.message : String(cause)}`,
                }),
              ])
              // The refusal releases nothing, so it stands whether or not it could be recorded.
              .catch((error: unknown) => options.log.error({ err: error, requestId: contextValue.requestId }, 'could not audit a refused schema request'));
            // Apollo answers an error thrown here with HTTP 500 unless the response already has a status.
            response.http.status = 403;
            throw refusal;
          }
        },
      };
    },
  };
}

/** Whether an operation selects `_service` (directly or through fragments): only `Query` has it. */
function asksForSdl(operation: OperationDefinitionNode, document: DocumentNode): boolean {
  for (const field of fieldsOf(operation, fragmentsOf(document))) {
    if (field.name.value === SERVICE_FIELD) return true;
  }
  return false;
}
