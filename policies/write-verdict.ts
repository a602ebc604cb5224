import type { RecordType } from '../lib/domain.js';
import type { RequestPolicy } from './ability.js';
import { factsOf } from './attributes.js';
import type { AccessRequest, PolicyRecord, Verdict, WriteAction } from '../lib/access/decision.js';
import { DENY_BY_DEFAULT } from './rule.js';

/** `canWrite` (SPEC 5 rule 9): the write rule that allows or refuses this action on this record. */
export function writeVerdict<T extends RecordType>(
  compiled: RequestPolicy,
  request: AccessRequest,
  action: WriteAction,
  type: T,
  record: PolicyRecord<T>,
): Verdict {
  if (!compiled.purposeHeld) return { allowed: false, rule: DENY_BY_DEFAULT, reason: `purpose ${request.purpose} is not one the caller holds` };
  const deciding = compiled.ability.relevantRuleFor(action, factsOf(type, record));
  if (!deciding) {
    return { allowed: false, rule: DENY_BY_DEFAULT, reason: `no rule lets ${request.principal.agency} ${request.principal.org} ${action} this ${type}` };
  }
  const rule = compiled.ruleOf(deciding);
  return { allowed: !deciding.inverted, rule: rule.id, reason: rule.reason };
}
