import type { Logger } from 'pino';
import { requestEntry, type AuditWriter } from '../lib/audit/index.js';
import type { Principal } from '../lib/domain.js';
import { TributaryError, UnreachableCaseError } from '../lib/errors.js';
import { PURPOSE_HEADER, type TokenVerifier } from '../lib/identity/index.js';
import type { AdmissionRequest, AdmissionVerdict } from '../lib/server/http.js';
import type { AdmissionControl, ShedReason } from './admission.js';

export interface AdmitRequestsOptions {
  readonly admission: AdmissionControl;
  readonly verifyToken: TokenVerifier;
  readonly audit: AuditWriter;
  readonly log: Logger;
  /** What `retry-after` tells a refused client; default 1 s. */
  readonly retryAfterSeconds?: number;
}

/**
 * Refusals whose audit entries may be outstanding at once. Each is a verified token (usually a
 * cache hit) and one entry the writer commits together with its neighbours; past this many the
 * audit store is not keeping up, and more refusals would only grow memory.
 */
const MAX_PENDING_REFUSAL_ENTRIES = 1_000;
/** At most one warning per this many milliseconds about refusals that could not be recorded. */
const DROPPED_WARNING_INTERVAL_MS = 5_000;

/**
 * The gateway's admission control as the HTTP layer asks it (lib/server/http.ts `admit`): an
 * admitted request carries its wait in a `server-timing: queue;dur=<ms>` header; a refused one
 * is HTTP 503 SERVICE_UNAVAILABLE with `retry-after`, and leaves a REQUEST DENY entry whose
 * reason starts with "overloaded".
 *
 * Load-bearing: the refusal is answered before it is recorded, and the entry is not awaited.
 * Shedding exists to answer fast when the process is past its capacity; waiting for an audit
 * commit (or for a token verification, should the token not be cached) would make it as slow
 * as what it sheds. A refusal releases nothing, so, as for a rate-limited request, it stands
 * whether or not its entry is committed; a failed append is logged with the request id, and
 * when more than MAX_PENDING_REFUSAL_ENTRIES are outstanding the rest are counted and logged
 * instead of recorded, so that an audit store that cannot keep up never holds memory unbounded.
 *
 * The entry names the subject when the token verifies (it is verified after the answer is
 * sent), so an auditor sees who was turned away; otherwise the subject is null, and the reason
 * says the token did not verify.
 */
export function admitRequests(options: AdmitRequestsOptions): (request: AdmissionRequest) => Promise<AdmissionVerdict> {
  const { admission, verifyToken, audit, log } = options;
  const retryAfterSeconds = options.retryAfterSeconds ?? 1;
  let pending = 0;
  let dropped = 0;
  let lastWarning = 0;

  const record = async (request: AdmissionRequest, reason: ShedReason, error: TributaryError): Promise<void> => {
    const authorization = request.headers.authorization;
    const principal: Principal | null = await verifyToken(authorization).catch(() => null);
    const purpose = request.headers[PURPOSE_HEADER];
    await audit.append([
      requestEntry({
        requestId: request.requestId,
        operationName: null,
        operationHash: null,
        principal,
        purpose: typeof purpose === 'string' ? purpose.slice(0, 64) : null,
        justification: null,
        action: 'REQUEST',
        decision: 'DENY',
        service: 'gateway',
        reason: `overloaded (${reason}): ${error.message}${principal === null ? '; the token did not verify' : ''}`,
      }),
    ]);
  };

  const recordLater = (request: AdmissionRequest, reason: ShedReason, error: TributaryError): void => {
    if (pending >= MAX_PENDING_REFUSAL_ENTRIES) {
      dropped += 1;
      const now = Date.now();
      if (now - lastWarning >= DROPPED_WARNING_INTERVAL_MS) {
        lastWarning = now;
        log.warn({ dropped, pending }, 'overloaded: refused requests not audited, the audit log is not keeping up');
      }
      return;
    }
    pending += 1;
    // After the refusal is written: setImmediate runs once this turn's I/O is done.
    setImmediate(() => {
      record(request, reason, error)
        .catch((auditError: unknown) => log.error({ err: auditError, requestId: request.requestId }, 'could not audit a request refused as overloaded'))
        .finally(() => {
          pending -= 1;
        });
    });
  };

  return async (request) => {
    const place = await admission.enter(request.gone);
    if (place.admitted) {
      return { admitted: true, release: place.release, headers: { 'server-timing': `queue;dur=${place.queuedMs.toFixed(1)}` } };
    }
    const error = overloadedError(place.reason, retryAfterSeconds);
    recordLater(request, place.reason, error);
    return { admitted: false, status: 503, headers: { 'retry-after': String(retryAfterSeconds) }, error };
  };
}

/** SERVICE_UNAVAILABLE, with the wait in `extensions.retryAfter` as RATE_LIMITED carries it. */
export function overloadedError(reason: ShedReason, retryAfterSeconds: number): TributaryError {
  return new TributaryError('SERVICE_UNAVAILABLE', `The gateway is overloaded: ${describe(reason)}; retry in ${retryAfterSeconds} s`, {
    details: { retryAfter: retryAfterSeconds, reason },
  });
}

function describe(reason: ShedReason): string {
  switch (reason) {
    case 'queue_full':
      return 'every place and the queue are taken';
    case 'queue_timeout':
      return 'the request waited too long for a place';
    case 'disconnected':
      return 'the client left while the request waited for a place';
    default:
      throw new UnreachableCaseError(reason);
  }
}
