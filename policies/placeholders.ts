import { AGENCIES, PURPOSES, type Agency } from '../lib/domain.js';
import type { AccessRequest } from '../lib/access/decision.js';

/**
 * Values a rule condition may take from the request instead of spelling them: `"${principal.org}"`
 * in a rule file is the caller's org when the rule is evaluated. Bound once per request, so a
 * rule reads like the sentence of SPEC 5 it implements.
 */

/** 28 CFR 23: criminal intelligence not revalidated within five years (same measure as the ICE service). */
const REVIEW_PERIOD_MS = 5 * 365.25 * 24 * 3600 * 1000;

export const reviewCutoff = (now: Date): Date => new Date(now.getTime() - REVIEW_PERIOD_MS);

export interface PlaceholderSpec {
  readonly kind: 'text' | 'text[]' | 'timestamp';
  readonly values?: readonly string[];
  readonly meaning: string;
}

export const PLACEHOLDERS = {
  'principal.org': { kind: 'text', meaning: "the caller's org" },
  'principal.agency': { kind: 'text', values: AGENCIES, meaning: "the caller's agency class" },
  'principal.agencyClass': {
    kind: 'text',
    values: ['DHS', 'PARTNER', 'NGO', 'OVERSIGHT'],
    meaning: "the dissemination class of the caller's agency (CBP and ICE are DHS)",
  },
  'principal.jurisdictions': { kind: 'text[]', meaning: "the caller's sectors and counties" },
  purpose: { kind: 'text', values: PURPOSES, meaning: 'the purpose of use stated for the request' },
  now: { kind: 'timestamp', meaning: 'the evaluation time' },
  reviewCutoff: { kind: 'timestamp', meaning: 'five years before the evaluation time (28 CFR 23 review)' },
} as const satisfies Record<string, PlaceholderSpec>;

export type PlaceholderName = keyof typeof PLACEHOLDERS;

/**
 * The placeholders bound from the request's time. Every other one is bound from the principal
 * and the purpose alone, so a condition without these binds the same for every request of one
 * caller and purpose (ability.ts binds such rules once per caller).
 */
export const TIME_PLACEHOLDERS: readonly PlaceholderName[] = ['now', 'reviewCutoff'];

export const isPlaceholderName = (name: string): name is PlaceholderName => Object.hasOwn(PLACEHOLDERS, name);

export type BoundValue = string | boolean | Date | null | readonly string[];

const agencyClass = (agency: Agency): string => (agency === 'CBP' || agency === 'ICE' ? 'DHS' : agency);

export function bindPlaceholders(request: AccessRequest): Readonly<Record<PlaceholderName, BoundValue>> {
  const { principal, purpose, now } = request;
  return {
    'principal.org': principal.org,
    'principal.agency': principal.agency,
    'principal.agencyClass': agencyClass(principal.agency),
    'principal.jurisdictions': principal.jurisdictions,
    purpose,
    now,
    reviewCutoff: reviewCutoff(now),
  };
}
