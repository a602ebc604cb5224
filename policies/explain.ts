import { CATEGORIES, type RecordType } from '../lib/domain.js';
import { compileRequest } from './ability.js';
import { factsOf } from './attributes.js';
import type { AccessRequest, PolicyRecord, Relation, Verdict } from '../lib/access/decision.js';
import { fieldsIn } from '../lib/access/fields.js';
import type { Policies } from './load.js';
import { bindCondition } from './bind.js';
import { whyNot } from './why-not.js';
import { bindPlaceholders } from './placeholders.js';
import { principalFailures } from './principal-condition.js';
import { decideRecord } from './record-decision.js';
import type { PolicyRule } from './rule.js';

/**
 * For an operator asking "why did (or didn't) this caller see that record?": every read rule
 * about the record's type, whether it applied and, when not, which condition failed; then the
 * verdict per category (per field where a category is split). Same engine, same rules as
 * `decide`, so the explanation cannot drift from the decision.
 */
export function explainDecision<T extends RecordType>(
  policies: Policies,
  request: AccessRequest,
  type: T,
  record: PolicyRecord<T>,
  relation?: Relation,
): string {
  const { principal, purpose, now } = request;
  const compiled = compileRequest(policies, request);
  const decision = decideRecord(compiled, request, type, record, relation);
  const facts = factsOf(type, record, relation);
  const bindings = bindPlaceholders(request);
  const lines: string[] = [
    `Decision for ${principal.sub} (${principal.agency} ${principal.org}; roles ${list(principal.roles)}; jurisdictions ${list(principal.jurisdictions)}; ` +
      `pii ${yes(principal.pii)}, cfr28 ${yes(principal.cfr28)}) with purpose ${purpose} at ${now.toISOString()}`,
    `Record: ${type} ${record.id} owned by ${record.ownerOrg} (${record.ownerAgency}); jurisdictions ${list(record.jurisdictions)}; disseminate ${list(record.disseminate)}` +
      (relation ? `; reached as ${relation.parentType}.${relation.field} of ${relation.parent.id}` : ''),
  ];
  if (!compiled.purposeHeld) lines.push(`! purpose ${purpose} is not among the caller's purposes (${list(principal.purposes)}): nothing is granted`);

  lines.push('Rules (denials take precedence over grants; nothing is granted by default):');
  for (const rule of policies.rules) {
    if (!rule.actions.includes('read') || !rule.subjects.includes(type)) continue;
    const failures = [
      ...principalFailures(rule.principal, request).map((failure) => `caller: ${failure}`),
      ...(rule.conditions ? whyNot(bindCondition(rule.conditions, bindings), facts).map((failure) => `record: ${failure}`) : []),
    ];
    const grantsHere = rule.effect === 'notice' || rule.wholeRecord || (rule.grants[type]?.length ?? 0) > 0;
    const mark = failures.length === 0 && grantsHere ? 'applies' : 'does not apply';
    lines.push(`  [${mark}] ${effectOf(rule)} ${rule.id} (${fileName(rule.file)}): ${rule.reason}`);
    if (!grantsHere) lines.push(`      names nothing on a ${type}`);
    for (const failure of failures) lines.push(`      ${failure}`);
  }

  if (!decision.visible) {
    lines.push(`Verdict: record withheld (${decision.reason})`);
    return lines.join('\n');
  }
  lines.push(`Verdict: record visible. ${decision.reason}`);
  for (const category of CATEGORIES) {
    const fields = fieldsIn(type, category);
    if (fields.length === 0) continue;
    const verdicts = fields.map((field) => [field, decision.field(field)] as const);
    const first = verdicts[0]?.[1];
    if (first && verdicts.every(([, verdict]) => same(verdict, first))) {
      lines.push(`  ${category.padEnd(16)} ${verdictText(first)} (${fields.join(', ')})`);
    } else {
      lines.push(`  ${category}:`);
      for (const [field, verdict] of verdicts) lines.push(`    ${field.padEnd(20)} ${verdictText(verdict)}`);
    }
  }
  return lines.join('\n');
}

const list = (values: readonly string[]): string => (values.length === 0 ? '(none)' : values.join(', '));
const yes = (value: boolean): string => (value ? 'yes' : 'no');
const same = (a: Verdict, b: Verdict): boolean => a.allowed === b.allowed && a.rule === b.rule;
const verdictText = (verdict: Verdict): string => `${verdict.allowed ? 'released' : 'withheld'} by ${verdict.rule}`;
const fileName = (file: string): string => file.split(/[\\/]/).pop() ?? file;

function effectOf(rule: PolicyRule): string {
  if (rule.effect === 'notice') return 'notice';
  if (rule.wholeRecord) return 'deny record';
  return `${rule.effect} ${[...rule.categories, ...rule.fields].join(', ')}`;
}
