import { AUDIT_LOG, type RequestPolicy } from './ability.js';
import type { AccessRequest, Verdict } from '../lib/access/decision.js';
import { DENY_BY_DEFAULT, READ_AUDIT_LOG } from './rule.js';

/** `canReadAuditLog` (SPEC 5 rule 8): the rule that lets this caller read the access log, or refuses it. */
export function auditLogVerdict(compiled: RequestPolicy, request: AccessRequest): Verdict {
  if (!compiled.purposeHeld) return { allowed: false, rule: DENY_BY_DEFAULT, reason: `purpose ${request.purpose} is not one the caller holds` };
  const deciding = compiled.ability.relevantRuleFor(READ_AUDIT_LOG, AUDIT_LOG);
  if (!deciding) {
    return { allowed: false, rule: DENY_BY_DEFAULT, reason: `no rule lets ${request.principal.agency} ${request.principal.org} read the access log for ${request.purpose}` };
  }
  const rule = compiled.ruleOf(deciding);
  return { allowed: !deciding.inverted, rule: rule.id, reason: rule.reason };
}
