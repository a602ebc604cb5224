import { badInput } from './errors.js';

/** Input checks shared by mutations: each names the argument and what was wrong with it. */

const ORG_ID = /^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$/;
const RECORD_ID = /^[A-Za-z]{1,3}-[A-Za-z0-9]{1,40}$/;

export function requireText(name: string, value: string | null | undefined, max: number): string {
  const trimmed = value?.trim() ?? '';
  if (trimmed === '') throw badInput(`${name} is required`, { argument: name });
  if (trimmed.length > max) throw badInput(`${name} is longer than ${max} characters`, { argument: name });
  return trimmed;
}

export function optionalText(name: string, value: string | null | undefined, max: number): string | null {
  if (value === null || value === undefined || value.trim() === '') return null;
  return requireText(name, value, max);
}

export function requireOrg(name: string, value: string): string {
  if (!ORG_ID.test(value)) throw badInput(`${name} must be an org id such as "ice-ero-phoenix", got "${value.slice(0, 64)}"`, { argument: name });
  return value;
}

/**
 * Ids that cannot be ours (injection-shaped, oversized) read as not found; callers turn
 * `false` into the same answer an unknown id gets.
 */
export const isRecordId = (value: string): boolean => RECORD_ID.test(value);
