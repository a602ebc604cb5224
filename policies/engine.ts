import type { Principal, RecordType } from '../lib/domain.js';
import { compileRequest, type RequestPolicy } from './ability.js';
import type { AccessRequest, PolicyEngine, PolicyRecord, Relation } from './decision.js';
import { explainDecision } from './explain.js';
import { listFilterFor } from './list-filter.js';
import type { Policies } from './load.js';
import { decideRecord } from './record-decision.js';
import { auditLogVerdict } from './audit-log-verdict.js';
import { writeVerdict } from './write-verdict.js';

/** The PolicyEngine of decision.ts, plus what operators need to inspect it. */
export interface TributaryPolicyEngine extends PolicyEngine {
  readonly policies: Policies;
  /** A multi-line, human-readable account of `decide` for this request and record. */
  explainDecision<T extends RecordType>(request: AccessRequest, type: T, record: PolicyRecord<T>, relation?: Relation): string;
}

/** Requests per principal object whose compiled rules are kept (purpose and time vary). */
const PER_PRINCIPAL = 16;

/**
 * Deny by default: a record or field is released only when an allow rule matches it and no
 * deny rule does. The rules a request needs are compiled once per (principal, purpose, time)
 * and reused for every record of that request: a page of 500 records binds the rules once.
 */
export function createPolicyEngine(policies: Policies): TributaryPolicyEngine {
  // Keyed by the principal object, so an entry lives exactly as long as the request context
  // holding it; never by subject id, which would let one request's claims serve another's.
  const compiledFor = new WeakMap<Principal, Map<string, RequestPolicy>>();
  const compiled = (request: AccessRequest): RequestPolicy => {
    let byRequest = compiledFor.get(request.principal);
    if (!byRequest) {
      byRequest = new Map();
      compiledFor.set(request.principal, byRequest);
    }
    const key = `${request.purpose}@${request.now.getTime()}`;
    let found = byRequest.get(key);
    if (!found) {
      if (byRequest.size >= PER_PRINCIPAL) byRequest.clear();
      found = compileRequest(policies, request);
      byRequest.set(key, found);
    }
    return found;
  };

  return {
    policies,
    decide: (request, type, record, relation) => decideRecord(compiled(request), request, type, record, relation),
    listFilter: (request, type, columns) => listFilterFor(compiled(request), type, columns),
    canWrite: (request, action, type, record) => writeVerdict(compiled(request), request, action, type, record),
    canReadAuditLog: (request) => auditLogVerdict(compiled(request), request),
    explainDecision: (request, type, record, relation) => explainDecision(policies, request, type, record, relation),
  };
}
