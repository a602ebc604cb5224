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

/**
 * Deny by default: a record or field is released only when an allow rule matches it and no
 * deny rule does. The rules a request needs are compiled once per request object and reused
 * for every record of that request: a page of 500 records binds the rules once. (A second
 * cache by principal, purpose and millisecond was dropped: every subgraph call builds its own
 * request object at its own time, so it hit only between calls in the same millisecond.)
 * What does not depend on the time (the applicable rules, most of them bound, the decisions)
 * is kept per (principal, purpose) and reused by the caller's next requests.
 */
export function createPolicyEngine(policies: Policies): TributaryPolicyEngine {
  // The same request object asks once per record of a page: found by identity, without
  // building the key string again. What it was compiled for is checked all the same, so a
  // request object changed in place (a test moving `now`) never gets a stale policy.
  const compiledByRequest = new WeakMap<AccessRequest, CompiledFor>();
  const compiled = (request: AccessRequest): RequestPolicy => {
    const known = compiledByRequest.get(request);
    if (known !== undefined && known.principal === request.principal && known.purpose === request.purpose && known.at === request.now.getTime()) {
      return known.policy;
    }
    const policy = compileRequest(policies, request, callerFor(request));
    compiledByRequest.set(request, { principal: request.principal, purpose: request.purpose, at: request.now.getTime(), policy });
    return policy;
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
