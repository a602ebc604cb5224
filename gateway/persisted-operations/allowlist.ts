import { requestEntry, type AuditWriter } from '../../lib/audit/index.js';
import { TributaryError } from '../../lib/errors.js';
import type { Logger } from '../../lib/log.js';
import { describeOperation, type Authenticated } from '../../lib/server/authenticate.js';
import type { PersistedOperations } from './manifest.js';

/** What the allowlist sees of a request: the body (POST) or the query string (GET). */
export interface AllowlistRequest {
  readonly requestId: string;
  readonly body: unknown;
  /** The URL's query string: a GET request carries its operation there. */
  readonly search: string;
}

export interface AllowlistDeps {
  readonly operations: PersistedOperations;
  readonly audit: AuditWriter;
  readonly log: Logger;
}

/**
 * PERSISTED_OPERATIONS_ONLY: refuses a request any of whose operations is not in the manifest,
 * judged by the SHA-256 of the text that would run (hashes were already turned into texts,
 * resolve-persisted-queries.ts). Runs in the gateway's context, after authentication (each
 * refusal's audit entry names the subject) and before Apollo parses or plans anything. A batch
 * is refused whole when one of its operations is unlisted, with an entry for each unlisted one:
 * a batch is one request, and running part of it would leave the client to guess which part.
 */
export async function enforceAllowlist(deps: AllowlistDeps, who: Authenticated, request: AllowlistRequest): Promise<void> {
  const unlisted = operationsOf(request)
    .map(describeOperation)
    .filter((operation) => operation.operationHash === null || !deps.operations.has(operation.operationHash));
  if (unlisted.length === 0) return;
  const entries = unlisted.map((operation) =>
    requestEntry({
      requestId: request.requestId,
      ...operation,
      principal: who.principal,
      purpose: who.purpose,
      justification: who.justification,
      action: 'REQUEST',
      decision: 'DENY',
      service: 'gateway',
      reason: `operation not allowed: ${operation.operationHash ?? 'no query'} is not in the persisted operations manifest`,
    }),
  );
  // The refusal releases nothing, so it stands even when it cannot be recorded (as for a
  // refused token); the log keeps the failure then.
  await deps.audit
    .append(entries)
    .catch((error: unknown) => deps.log.error({ err: error, requestId: request.requestId }, 'could not audit a refused operation'));
  const hashes = unlisted.map((operation) => operation.operationHash ?? 'none');
  throw new TributaryError(
    'OPERATION_NOT_ALLOWED',
    `Only this gateway's persisted operations may run (PERSISTED_OPERATIONS_ONLY); not in its manifest: ${hashes.join(', ')}`,
    { details: { operationHashes: hashes } },
  );
}

/** Each operation of the request as `describeOperation` reads it: the body's, or a GET's. */
function operationsOf(request: AllowlistRequest): unknown[] {
  if (request.body === undefined) {
    const params = new URLSearchParams(request.search);
    return [{ query: params.get('query') ?? undefined, operationName: params.get('operationName') ?? undefined }];
  }
  return Array.isArray(request.body) ? request.body : [request.body];
}
