import type { AuditWriter } from './writer.js';

/**
 * WARNING: FOR BENCHMARKS ONLY. This writer records NOTHING and acknowledges everything, which
 * breaks the audit guarantee of SPEC section 6 (every released record leaves a durable entry).
 * It exists to measure the cost of auditing by comparison. Production code must never import
 * this file; it is deliberately not re-exported from lib/audit/index.ts.
 */
export const noopAuditWriter: AuditWriter = {
  chain: 'noop',
  append: () => Promise.resolve(),
};
