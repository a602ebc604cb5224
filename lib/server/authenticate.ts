import { createHash } from 'node:crypto';
import { requestEntry, type AuditWriter } from '../audit/index.js';
import type { Principal, Purpose, ServiceName } from '../domain.js';
import { TributaryError } from '../errors.js';
import { JUSTIFICATION_HEADER, PURPOSE_HEADER, resolvePurpose, type TokenVerifier } from '../identity/index.js';
import type { Logger } from 'pino';

/** The verified "who and why" of a request, before any data is read. */
export interface Authenticated {
  readonly principal: Principal;
  readonly purpose: Purpose;
  readonly justification: string | null;
  readonly operationName: string | null;
  readonly operationHash: string | null;
}

export interface AuthenticateDeps {
  readonly service: ServiceName;
  readonly verifyToken: TokenVerifier;
  readonly audit: AuditWriter;
  readonly log: Logger;
}

/** Operation name and a hash of its text, for audit entries (the text itself is not logged). */
export function describeOperation(body: unknown): { operationName: string | null; operationHash: string | null } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { operationName: null, operationHash: null };
  const { operationName, query } = body as Record<string, unknown>;
  return {
    operationName: typeof operationName === 'string' ? operationName.slice(0, 200) : null,
    operationHash: typeof query === 'string' ? createHash('sha256').update(query).digest('hex') : null,
  };
}

/**
 * Token, then purpose: every service runs this on every request (the gateway forwards the
 * caller's token; a subgraph never trusts the gateway's word for who is calling). A refusal
 * leaves an audit entry of the attempt and is thrown as the request's only error.
 */
export async function authenticate(
  deps: AuthenticateDeps,
  request: { readonly requestId: string; readonly headers: ReadonlyMap<string, string>; readonly body: unknown },
): Promise<Authenticated> {
  const operation = describeOperation(request.body);
  let principal: Principal | null = null;
  try {
    principal = await deps.verifyToken(request.headers.get('authorization'));
    const { purpose, justification } = resolvePurpose(principal, {
      purpose: request.headers.get(PURPOSE_HEADER),
      justification: request.headers.get(JUSTIFICATION_HEADER),
    });
    return { principal, purpose, justification, ...operation };
  } catch (error) {
    if (!(error instanceof TributaryError)) throw error;
    await deps.audit
      .append([
        requestEntry({
          requestId: request.requestId,
          ...operation,
          principal,
          purpose: request.headers.get(PURPOSE_HEADER)?.slice(0, 64) ?? null,
          justification: null,
          action: principal ? 'PURPOSE_CHECK' : 'AUTHENTICATE',
          decision: 'DENY',
          service: deps.service,
          reason: error.message,
        }),
      ])
      // The refusal stands whether or not the attempt could be recorded; the log keeps it then.
      .catch((auditError: unknown) => deps.log.error({ err: auditError, requestId: request.requestId }, 'could not audit a refused request'));
    throw error;
  }
}
