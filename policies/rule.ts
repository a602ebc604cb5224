import { CATEGORIES, RECORD_TYPES, isCategory, isRecordType, type Category, type RecordType } from '../lib/domain.js';
import { attributeOf, REQUIRED_COLUMNS } from './attributes.js';
import { attributesOf, parseCondition, type Condition, type Fail } from './condition.js';
import { WRITE_ACTIONS, type WriteAction } from '../lib/access/decision.js';
import { categoryOf, fieldsIn } from '../lib/access/fields.js';
import { parsePrincipalCondition, type PrincipalCondition } from './principal-condition.js';
import { PolicyError } from './policy-error.js';

/**
 * One rule of a rule file, validated. Rules are CASL's shape (`action`, `subject`, `fields`,
 * `conditions`, `inverted`, `reason`) plus what SPEC 5 needs on top: a stable `id` quoted in
 * redaction errors and audit entries, field `categories` expanded through lib/access/fields.ts, and
 * `principal` conditions on the caller. A rule is one of:
 *
 * - allow (default): grants the named categories/fields of matching records, and with them
 *   the record itself;
 * - deny (`"inverted": true`): withholds the named categories/fields, or the whole record
 *   when it names none, whatever any allow rule grants;
 * - notice (`"notice": true`): grants and withholds nothing, but when it matches, its reason
 *   joins the decision (e.g. "flagged for 28 CFR 23 review").
 */

/** Reading the access log and chain status (rule 8): about no record, so a rule for it has no subject. */
export const READ_AUDIT_LOG = 'readAuditLog';
export type RuleAction = 'read' | typeof READ_AUDIT_LOG | WriteAction;
export type RuleEffect = 'allow' | 'deny' | 'notice';

export interface PolicyRule {
  readonly id: string;
  readonly reason: string;
  /** The rule file it came from, for errors and explanations. */
  readonly file: string;
  readonly effect: RuleEffect;
  readonly actions: readonly RuleAction[];
  /** Empty for a rule about the access log. */
  readonly subjects: readonly RecordType[];
  readonly categories: readonly Category[];
  readonly fields: readonly string[];
  /** Read rules: the fields granted or withheld per subject type; empty for a whole-record denial. */
  readonly grants: Readonly<Partial<Record<RecordType, readonly string[]>>>;
  /** A denial that withholds the record itself. */
  readonly wholeRecord: boolean;
  readonly principal: PrincipalCondition;
  readonly conditions: Condition | null;
}

export const DENY_BY_DEFAULT = 'deny-by-default';

const RULE_KEYS = ['id', 'reason', 'note', 'action', 'subject', 'categories', 'fields', 'inverted', 'notice', 'principal', 'conditions'];
const RULE_ID = /^[a-z][a-z0-9]*(?:[.-][a-z0-9]+)+$/;

/** The write actions that make sense for each record type (SPEC 7 mutations). */
const ACTION_TYPES: Readonly<Record<WriteAction, readonly RecordType[]>> = {
  create: RECORD_TYPES,
  update: RECORD_TYPES,
  requestTransfer: ['Transfer'],
  acceptTransfer: ['Transfer'],
  startTransfer: ['Transfer'],
  completeTransfer: ['Transfer'],
  cancelTransfer: ['Transfer'],
  createReferral: ['Referral'],
  updateReferral: ['Referral'],
  grantConsent: ['Referral'],
  revokeConsent: ['Referral'],
  linkRouteToNetwork: ['Route'],
};

const isWriteAction = (value: unknown): value is WriteAction => typeof value === 'string' && (WRITE_ACTIONS as readonly string[]).includes(value);

const stringList = (value: unknown, what: string, fail: Fail): readonly string[] => {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || list.some((item) => typeof item !== 'string')) return fail(`${what} must be a name or a non-empty list of names`);
  if (new Set(list).size !== list.length) return fail(`${what} names something twice`);
  return list as string[];
};

export function parseRule(input: unknown, file: string, index: number): PolicyRule {
  // Until the rule has a usable id, errors name it by position.
  const early: Fail = (problem) => {
    throw new PolicyError(file, `#${index + 1}`, problem);
  };
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return early('a rule must be an object');
  const raw = input as Readonly<Record<string, unknown>>;
  const { id } = raw;
  if (typeof id !== 'string' || !RULE_ID.test(id)) return early(`"id" must be a dotted name such as "owner.read", got ${JSON.stringify(id)}`);
  if (id === DENY_BY_DEFAULT) return early(`"${DENY_BY_DEFAULT}" is reserved for what no rule grants`);
  const fail: Fail = (problem) => {
    throw new PolicyError(file, id, problem);
  };

  const extra = Object.keys(raw).filter((key) => !RULE_KEYS.includes(key));
  if (extra.length > 0) fail(`unknown key ${extra.map((key) => `"${key}"`).join(', ')} (known: ${RULE_KEYS.join(', ')})`);
  if (typeof raw.reason !== 'string' || raw.reason.trim() === '') fail('"reason" must say, for people, what the rule does');
  if (raw.note !== undefined && typeof raw.note !== 'string') fail('"note" must be text');
  if (raw.inverted !== undefined && typeof raw.inverted !== 'boolean') fail('"inverted" must be true or false');
  if (raw.notice !== undefined && typeof raw.notice !== 'boolean') fail('"notice" must be true or false');
  if (raw.inverted === true && raw.notice === true) fail('a rule cannot both deny and be a notice');
  const effect: RuleEffect = raw.inverted === true ? 'deny' : raw.notice === true ? 'notice' : 'allow';

  const actions = stringList(raw.action, '"action"', fail).map((action): RuleAction => {
    if (action !== 'read' && action !== READ_AUDIT_LOG && !isWriteAction(action)) {
      return fail(`unknown action "${action}" (known: read, ${READ_AUDIT_LOG}, ${WRITE_ACTIONS.join(', ')})`);
    }
    return action;
  });
  const reads = actions.includes('read');
  if (reads && actions.length > 1) fail('a rule either reads or writes: split read and write actions into two rules');
  if (actions.includes(READ_AUDIT_LOG)) return auditLogRule(raw, id, file, effect, actions, fail);

  const subjects =
    raw.subject === 'all'
      ? RECORD_TYPES
      : stringList(raw.subject, '"subject"', fail).map((subject): RecordType => {
          if (!isRecordType(subject)) return fail(`unknown subject type "${subject}" (known: all, ${RECORD_TYPES.join(', ')})`);
          return subject;
        });

  const categories = raw.categories === undefined ? [] : stringList(raw.categories, '"categories"', fail).map((category): Category => {
    if (!isCategory(category)) return fail(`unknown category "${category}" (known: ${CATEGORIES.join(', ')})`);
    return category;
  });
  const fields = raw.fields === undefined ? [] : stringList(raw.fields, '"fields"', fail);
  for (const field of fields) {
    for (const type of subjects) if (categoryOf(type, field) === undefined) fail(`unknown field "${field}" on ${type}`);
  }

  const principal = parsePrincipalCondition(raw.principal, fail);
  const conditions = raw.conditions === undefined ? null : parseCondition(raw.conditions, subjects, fail);

  const grants: Partial<Record<RecordType, readonly string[]>> = {};
  if (!reads) {
    if (effect === 'notice') fail('a notice explains reads: its action must be "read"');
    if (categories.length > 0 || fields.length > 0) fail('write rules name no categories or fields: a write is allowed or refused whole');
    for (const action of actions as readonly WriteAction[]) {
      if (!subjects.some((type) => ACTION_TYPES[action].includes(type))) fail(`action "${action}" never applies to ${subjects.join(', ')}`);
    }
  } else if (effect === 'notice') {
    if (categories.length > 0 || fields.length > 0) fail('a notice grants and withholds nothing: name no categories or fields');
  } else {
    for (const type of subjects) {
      const named = new Set([...categories.flatMap((category) => fieldsIn(type, category)), ...fields]);
      if (named.size > 0) grants[type] = [...named];
    }
    const nothingNamed = categories.length === 0 && fields.length === 0;
    if (effect === 'allow' && nothingNamed) fail('an allow rule must name the categories or fields it grants');
    if (!nothingNamed && Object.keys(grants).length === 0) {
      fail(`categories ${categories.join(', ')} have no fields on ${subjects.join(', ')}: the rule could never ${effect === 'allow' ? 'grant' : 'withhold'} anything`);
    }
  }
  const wholeRecord = reads && effect === 'deny' && categories.length === 0 && fields.length === 0;

  // A rule that can hide or show a whole record decides lists too: each attribute it tests
  // must be one that every listing service provides as a column.
  if (reads && effect !== 'notice' && (effect === 'allow' || wholeRecord) && conditions) {
    for (const attribute of attributesOf(conditions)) {
      for (const type of subjects) {
        const column = attributeOf(type, attribute)?.column ?? null;
        if (column !== null && !REQUIRED_COLUMNS[type].includes(column)) {
          fail(`"${attribute}" decides whether a ${type} is visible, but list filters get no "${column}" column (REQUIRED_COLUMNS.${type})`);
        }
      }
    }
  }

  return {
    id,
    reason: (raw.reason as string).trim(),
    file,
    effect,
    actions,
    subjects,
    categories,
    fields,
    grants,
    wholeRecord,
    principal,
    conditions,
  };
}

/** A rule about the access log judges the caller only: there is no record to name or test. */
function auditLogRule(
  raw: Readonly<Record<string, unknown>>,
  id: string,
  file: string,
  effect: RuleEffect,
  actions: readonly RuleAction[],
  fail: Fail,
): PolicyRule {
  if (actions.length > 1) fail(`"${READ_AUDIT_LOG}" is a rule of its own: split it from other actions`);
  if (effect === 'notice') fail(`a notice explains record reads, not "${READ_AUDIT_LOG}"`);
  for (const key of ['subject', 'categories', 'fields', 'conditions']) {
    if (raw[key] !== undefined) fail(`"${READ_AUDIT_LOG}" is about no record: "${key}" does not apply`);
  }
  return {
    id,
    reason: (raw.reason as string).trim(),
    file,
    effect,
    actions,
    subjects: [],
    categories: [],
    fields: [],
    grants: {},
    wholeRecord: false,
    principal: parsePrincipalCondition(raw.principal, fail),
    conditions: null,
  };
}
