import { randomBytes } from 'node:crypto';

/**
 * Ids for records created at run time: prefixed like the seeded ones (`T-000123`) and sorting
 * after them (base-36 time first), so keyset pages stay in creation order.
 */
export function newId(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;
}
