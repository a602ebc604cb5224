import type { Principal, Purpose, RecordType } from '../lib/domain.js';
import { callerRules, compileRequest, type CallerRules, type RequestPolicy } from './ability.js';
import type { AccessRequest, PolicyEngine, PolicyRecord, Relation } from '../lib/access/decision.js';
import { explainDecision } from './explain.js';
import { listFilterFor } from './list-filter.js';
import type { Policies } from './load.js';
import { decideRecord } from './record-decision.js';
import { auditLogVerdict } from './audit-log-verdict.js';
import { writeVerdict } from './write-verdict.js';

/** The PolicyEngine of lib/access/decision.ts, plus what operators need to inspect it. */
export interface TributaryPolicyEngine extends PolicyEngine {
  readonly policies: Policies;
  /** A multi-line, human-readable account of `decide` for this request and record. */
  explainDecision<T extends RecordType>(request: AccessRequest, type: T, record: PolicyRecord<T>, relation?: Relation): string;
}

/** A request's compiled policy, with what it was compiled for. */
interface CompiledFor {
  readonly principal: Principal;
  readonly purpose: Purpose;
  readonly at: number;
  readonly policy: RequestPolicy;
}

/** Requests per principal object whose compiled rules are kept (purpose and time vary). */
const PER_PRINCIPAL = 16;

/**
 * Deny by default: a record or field is released only when an allow rule matches it and no
 * deny rule does. The rules a request needs are compiled once per (principal, purpose, time)
 * and reused for every record of that request: a page of 500 records binds the rules once.
 * What does not depend on the time (the applicable rules, most of them bound, the decisions)
 * is kept per (principal, purpose) and reused by the caller's next requests.
 */
export function createPolicyEngine(policies: Policies): TributaryPolicyEngine {
  // Keyed by the principal object, so an entry lives exactly as long as the principal (a
  // request context, or the identity layer's cache of verified tokens); never by subject id,
  // which would let one token's claims serve another's.
  const compiledFor = new WeakMap<Principal, Map<string, RequestPolicy>>();
  // The same request object asks once per record of a page: found by identity, without
  // building the key string again. What it was compiled for is checked all the same, so a
  // request object changed in place (a test moving `now`) never gets a stale policy.
  const compiledByRequest = new WeakMap<AccessRequest, CompiledFor>();
  const compiled = (request: AccessRequest): RequestPolicy => {
    const known = compiledByRequest.get(request);
    if (known !== undefined && known.principal === request.principal && known.purpose === request.purpose && known.at === request.now.getTime()) {
      return known.policy;
    }
    const policy = compiledForKey(request);
    compiledByRequest.set(request, { principal: request.principal, purpose: request.purpose, at: request.now.getTime(), policy });
    return policy;
  };
  const compiledForKey = (request: AccessRequest): RequestPolicy => {
    let byRequest = compiledFor.get(request.principal);
    if (!byRequest) {
      byRequest = new Map();
      compiledFor.set(request.principal, byRequest);
    }
    const key = `${request.purpose}@${request.now.getTime()}`;
    let found = byRequest.get(key);
    if (!found) {
      if (byRequest.size >= PER_PRINCIPAL) byRequest.clear();
      found = compileRequest(policies, request, callerFor(request));
      byRequest.set(key, found);
    }
    return found;
  };
  // What depends on the caller and purpose alone outlives a request's compiled rules: the
  // rules that apply, those that do not read the time bound once, and the decisions. The
  // identity layer reuses a verified token's principal object across the caller's requests,
  // and each request otherwise bound every rule and decided its page's handful of distinct
  // records from scratch (CASL, field by field). Keyed by the principal object and purpose, the
  // two things besides the time that the rules depend on; the time only decides which
  // conditions hold, which the signature sees (see DecisionCache).
  const callers = new WeakMap<Principal, Map<Purpose, CallerRules>>();
  const callerFor = (request: AccessRequest): CallerRules => {
    let byPurpose = callers.get(request.principal);
    if (!byPurpose) {
      byPurpose = new Map();
      callers.set(request.principal, byPurpose);
    }
    let caller = byPurpose.get(request.purpose);
    if (!caller) {
      caller = callerRules(policies, request);
      byPurpose.set(request.purpose, caller);
    }
    return caller;
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
