import type { Principal, Purpose } from '../lib/domain.js';
import type { RequestTelemetry } from '../lib/telemetry/index.js';

/** The gateway's per-request context: who is calling and why, and what to forward downstream. */
export interface GatewayContext {
  readonly requestId: string;
  readonly principal: Principal;
  readonly purpose: Purpose;
  readonly justification: string | null;
  /** Exactly the caller's credentials and purpose, passed on to every subgraph call. */
  readonly forward: {
    readonly authorization: string;
    readonly purpose: string;
    readonly justification: string | null;
    /**
     * The gateway's signed identity for this request (`x-gateway-identity`), signed on first use
     * and shared by every subgraph call the request makes: it names the request id, not the call.
     */
    readonly gatewayIdentity: () => Promise<string>;
  };
  /** Its metrics and trace: the subgraph fetches time themselves and hang their spans from it. */
  readonly telemetry?: RequestTelemetry | undefined;
}
