export type {
  AccessRequest,
  ColumnMap,
  ConsentAttributes,
  PolicyAttributes,
  PolicyEngine,
  PolicyRecord,
  RecordDecision,
  Relation,
  Verdict,
  WriteAction,
} from '../lib/access/decision.js';
export { WRITE_ACTIONS } from '../lib/access/decision.js';
export { createPolicyEngine } from './engine.js';
export type { TributaryPolicyEngine } from './engine.js';
export { defaultPolicyEngine } from './default-engine.js';
export { loadPolicies, parseRuleFile, assemblePolicies, DEFAULT_RULES_DIR } from './load.js';
export type { Policies } from './load.js';
export { explainDecision } from './explain.js';
export { REQUIRED_COLUMNS, attributeOf } from './attributes.js';
export type { AttributeKind, AttributeSpec } from './attributes.js';
export { FIELD_CATEGORIES, KEY_FIELD, categoryOf, fieldNames, fieldsIn } from '../lib/access/fields.js';
export { PLACEHOLDERS, reviewCutoff } from './placeholders.js';
export { DENY_BY_DEFAULT } from './rule.js';
export type { PolicyRule, RuleAction, RuleEffect } from './rule.js';
export type { PrincipalCondition } from './principal-condition.js';
export { PolicyError } from './policy-error.js';
