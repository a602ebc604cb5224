import type { PolicyEngine, PolicyRecord, RecordDecision, Verdict } from '../../lib/access/decision.js';
import { PERSONAS, recordRef, request, type RecordRef } from './fixtures.js';
import type { AuditLogRow, ReadRow, WriteRow } from './spec5-table.js';

/** Runs the rows of spec5-table.ts against an engine (the full policy set, or one with a rule removed). */

export function readDecision(engine: PolicyEngine, [who, purpose, key]: ReadRow): { readonly ref: RecordRef; readonly decision: RecordDecision } {
  const ref = recordRef(key);
  return { ref, decision: engine.decide(request(PERSONAS[who], purpose), ref.type, ref.record, ref.relation) };
}

export function writeDecision(engine: PolicyEngine, [who, action, key]: WriteRow): Verdict {
  const caller = PERSONAS[who];
  const ref = recordRef(key.replace(/~$/, ''));
  const record: PolicyRecord = key.endsWith('~') ? { ...ref.record, ownerOrg: caller.org, ownerAgency: caller.agency } : ref.record;
  return engine.canWrite(request(caller, 'INVESTIGATION'), action, ref.type, record);
}

export function auditLogDecision(engine: PolicyEngine, [who, purpose]: AuditLogRow): Verdict {
  return engine.canReadAuditLog(request(PERSONAS[who], purpose));
}

/** Rule ids a row's expectation names. */
export const rulesNamed = (expected: string): readonly string[] =>
  [...expected.matchAll(/[=!]([a-z0-9.-]+)/g)].map((match) => match[1] ?? '').filter((rule) => rule !== 'deny-by-default');

/** Everything observable about a read decision, to tell two engines apart. */
export function readSignature(ref: RecordRef, decision: RecordDecision, fields: readonly string[]): string {
  if (!decision.visible) return `hidden ${decision.field('id').rule}`;
  return [...decision.rules].sort().join(',') + '|' + fields.map((field) => `${field}:${decision.field(field).allowed ? '+' : '-'}${decision.field(field).rule}`).join(' ') + `|${ref.type}`;
}
