import { AGENCIES, PURPOSES, ROLES, type Agency, type Purpose, type Role } from '../lib/domain.js';
import type { Fail } from './condition.js';
import type { AccessRequest } from '../lib/access/decision.js';

/**
 * Principal conditions: the `principal` half of a rule, over the caller's claims and the
 * purpose stated for the request. Every key present must hold (AND); a rule with none applies
 * to every caller. Judged once per request, before any record is seen.
 *
 *   { "agencyIn": ["CBP", "ICE"], "orgIn": [...], "roleIn": ["medical"],
 *     "purposeIn": ["INVESTIGATION"], "pii": true, "cfr28": true, "sworn": true }
 */
export interface PrincipalCondition {
  readonly agencyIn?: readonly Agency[];
  readonly orgIn?: readonly string[];
  /** Any one of these roles. */
  readonly roleIn?: readonly Role[];
  readonly purposeIn?: readonly Purpose[];
  readonly pii?: boolean;
  readonly cfr28?: boolean;
  readonly sworn?: boolean;
}

const LISTS = { agencyIn: AGENCIES, orgIn: null, roleIn: ROLES, purposeIn: PURPOSES } as const;
const FLAGS = ['pii', 'cfr28', 'sworn'] as const;

export function parsePrincipalCondition(input: unknown, fail: Fail): PrincipalCondition {
  if (input === undefined) return {};
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return fail(`principal must be an object, got ${JSON.stringify(input)}`);
  const condition: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (Object.hasOwn(LISTS, key)) {
      const allowed: readonly string[] | null = LISTS[key as keyof typeof LISTS];
      if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) return fail(`principal.${key} must be a list of names`);
      if (value.length === 0) return fail(`principal.${key} is empty: no caller could ever match`);
      const unknown = allowed ? value.filter((item) => !allowed.includes(item as string)) : [];
      if (unknown.length > 0) return fail(`principal.${key} names unknown ${unknown.map((item) => JSON.stringify(item)).join(', ')} (known: ${allowed?.join(', ')})`);
      condition[key] = [...new Set(value as string[])];
    } else if ((FLAGS as readonly string[]).includes(key)) {
      if (typeof value !== 'boolean') return fail(`principal.${key} must be true or false`);
      condition[key] = value;
    } else {
      return fail(`unknown principal condition "${key}" (known: ${[...Object.keys(LISTS), ...FLAGS].join(', ')})`);
    }
  }
  return condition as PrincipalCondition;
}

/** Why the caller does not satisfy the condition: empty when it does. */
export function principalFailures(condition: PrincipalCondition, request: AccessRequest): readonly string[] {
  const { principal, purpose } = request;
  const failures: string[] = [];
  if (condition.agencyIn && !condition.agencyIn.includes(principal.agency)) failures.push(`agency ${principal.agency} is not one of ${condition.agencyIn.join(', ')}`);
  if (condition.orgIn && !condition.orgIn.includes(principal.org)) failures.push(`org ${principal.org} is not one of ${condition.orgIn.join(', ')}`);
  if (condition.roleIn && !principal.roles.some((role) => condition.roleIn?.includes(role))) {
    failures.push(`roles [${principal.roles.join(', ')}] include none of ${condition.roleIn.join(', ')}`);
  }
  if (condition.purposeIn && !condition.purposeIn.includes(purpose)) failures.push(`purpose ${purpose} is not one of ${condition.purposeIn.join(', ')}`);
  for (const flag of FLAGS) {
    const wanted = condition[flag];
    if (wanted !== undefined && principal[flag] !== wanted) failures.push(`${flag} is ${String(principal[flag])}, needs ${String(wanted)}`);
  }
  return failures;
}

export const describePrincipalCondition = (condition: PrincipalCondition): string =>
  Object.entries(condition)
    .map(([key, value]) => (Array.isArray(value) ? `${key} ${value.join('|')}` : `${key}=${String(value)}`))
    .join(', ') || 'any caller';
