import type { AuditWriter } from '../lib/audit/index.js';
import { requestEntry } from '../lib/audit/index.js';
import type { Settings } from '../lib/config.js';
import type { TokenVerifier } from '../lib/identity/index.js';
import type { Logger } from '../lib/log.js';
import { authenticate } from '../lib/server/authenticate.js';
import type { IncomingGraphQLRequest } from '../lib/server/http.js';
import type { ServiceTelemetry } from '../lib/telemetry/index.js';
import { REQUEST_ENTRY } from './await-request-entry.js';
import type { GatewayContext } from './context.js';
import { enforceAllowlist, type AllowlistDeps } from './persisted-operations/index.js';
import { rateLimitedError, type RateLimiter } from './rate-limit/index.js';
import { requestIdentity } from './request-identity.js';

export interface GatewayContextDeps {
  readonly settings: Settings;
  readonly verifyToken: TokenVerifier;
  readonly audit: AuditWriter;
  readonly log: Logger;
  readonly metrics: ServiceTelemetry['metrics'];
  readonly rateLimiter: RateLimiter;
  /** Set only under PERSISTED_OPERATIONS_ONLY. */
  readonly allowlist: AllowlistDeps | undefined;
}

/**
 * The gateway's context builder, run for every request before anything is planned: who the
 * caller is, their rate budget, the allowlist, and the request-level audit entry whose commit
 * `awaitRequestEntry` waits for.
 */
export function gatewayContext(deps: GatewayContextDeps): (incoming: IncomingGraphQLRequest) => Promise<GatewayContext> {
  const { settings, verifyToken, audit, log, metrics, rateLimiter, allowlist } = deps;
  return async (incoming) => {
    const who = await authenticate({ service: 'gateway', verifyToken, audit, log }, incoming);
    // One request-level entry ties the subgraphs' record entries (same request id) to the
    // operation as the caller sent it.
    const entry = requestEntry({
      requestId: incoming.requestId,
      operationName: who.operationName,
      operationHash: who.operationHash,
      principal: who.principal,
      purpose: who.purpose,
      justification: who.justification,
      action: 'REQUEST',
      decision: 'ALLOW',
      service: 'gateway',
      reason: null,
    });
    // After authentication (budgets are per verified subject and org), before anything is
    // planned or fetched. A batch costs one request per operation.
    const rate = await rateLimiter.check(who.principal, Array.isArray(incoming.body) ? incoming.body.length : 1);
    if (!rate.allowed) {
      metrics.rateLimitRefusals.inc({ limit: rate.limit });
      const refusal = rateLimitedError(rate);
      // The refusal releases nothing, so it stands even when it cannot be recorded (as for a
      // refused token); the log keeps the failure then.
      await audit
        .append([{ ...entry, decision: 'DENY', reason: `rate limited: ${refusal.message}` }])
        .catch((error: unknown) => log.error({ err: error, requestId: incoming.requestId }, 'could not audit a rate-limited request'));
      throw refusal;
    }
    // After authentication (its entry names the subject) and the rate limit (a refused
    // operation still costs its budget: refusals are audited writes), before anything is
    // parsed or planned.
    if (allowlist) await enforceAllowlist(allowlist, who, incoming);
    // Fail closed: no audit, no answer. The entry is committed while the operation is
    // planned and executed rather than before (one durable commit less on every request's
    // path); `awaitRequestEntry` holds the response until it is, and answers
    // AUDIT_UNAVAILABLE instead when it cannot be. Writes wait for it before they run.
    const committed = audit.append([entry]);
    committed.catch(() => undefined);
    const context: GatewayContext & { readonly [REQUEST_ENTRY]: Promise<void> } = {
      [REQUEST_ENTRY]: committed,
      requestId: incoming.requestId,
      principal: who.principal,
      purpose: who.purpose,
      justification: who.justification,
      forward: {
        authorization: incoming.headers.get('authorization') ?? '',
        purpose: who.purpose,
        justification: who.justification,
        gatewayIdentity: requestIdentity(incoming.requestId, { keys: settings }),
      },
      telemetry: incoming.telemetry,
    };
    return context;
  };
}
