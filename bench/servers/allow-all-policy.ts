import { CATEGORIES } from '../../lib/domain.js';
import { TRUE } from '../../policies/condition-sql.js';
import type { PolicyEngine, RecordDecision, Verdict } from '../../lib/access/decision.js';

/**
 * WARNING: FOR BENCHMARKS ONLY. Releases every record and every field to anyone, which breaks
 * every rule of SPEC section 5. It exists so that the benchmark can run the very same subgraph
 * code with enforcement switched off, and so measure what enforcement costs. It is reachable
 * only through code (RuntimeOptions.policy), never through a setting.
 */
const RULE = 'bench.allow-all';
const ALLOWED: Verdict = { allowed: true, rule: RULE, reason: 'benchmark baseline: enforcement switched off' };
const VISIBLE: RecordDecision = {
  visible: true,
  rules: [RULE],
  reason: ALLOWED.reason,
  categories: new Set(CATEGORIES),
  field: () => ALLOWED,
};

export const allowAllPolicy: PolicyEngine = {
  decide: () => VISIBLE,
  listFilter: () => TRUE,
  canWrite: () => ALLOWED,
  canReadAuditLog: () => ALLOWED,
};
