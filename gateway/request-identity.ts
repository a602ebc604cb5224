import { signGatewayIdentity, type GatewayIdentityOptions } from '../lib/identity/index.js';

/**
 * The gateway's signed identity for one request (`x-gateway-identity`, sent when subgraphs
 * demand it), signed at its first use and the same for every later one. The identity names the
 * request id, not the subgraph call, so every call a request's query plan makes can carry one
 * signature instead of paying a signature each. A failed signing fails that request only: the
 * next request signs afresh.
 */
export function requestIdentity(requestId: string, options: GatewayIdentityOptions = {}): () => Promise<string> {
  let signed: Promise<string> | undefined;
  return () => {
    signed ??= signGatewayIdentity(requestId, options);
    return signed;
  };
}
