import { CANONICAL_VERSION } from './chain.js';
import { EVENT_FORMAT } from './event-format.js';
import type { EventVersion, ProofHeaderFields, ProofItemFields } from './proof.js';

/**
 * Reading the canonical texts back (lib/audit/event-format.ts, lib/audit/chain.ts) into their
 * members: the prover fills a proof's `fields` with these, and the verifier checks that what a
 * proof shows agrees with the bytes that are hashed. Each returns null for a text that is not a
 * canonical array of its kind; none of them is ever used to PRODUCE hashed bytes.
 */

const isStr = (v: unknown): v is string => typeof v === 'string';
const isOptStr = (v: unknown): v is string | null => v === null || typeof v === 'string';
const isStrs = (v: unknown): v is string[] => Array.isArray(v) && v.every(isStr);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);

function parseArray(text: string, length: number): unknown[] | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  return Array.isArray(value) && value.length === length ? value : null;
}

/** The seven members of a canonical item array (event-format.ts CanonicalItemArray). */
function itemOf(a: readonly unknown[]): ProofItemFields | null {
  const [recordId, ownerOrg, personId, fieldsReleased, fieldsRedacted, decision, rules] = a;
  if (!isOptStr(recordId) || !isOptStr(ownerOrg) || !isOptStr(personId) || !isStrs(fieldsReleased) || !isStrs(fieldsRedacted) || !isStr(decision) || !isStrs(rules)) return null;
  return { recordId, ownerOrg, personId, fieldsReleased, fieldsRedacted, decision, rules };
}

export function decodeItem(canonical: string): ProofItemFields | null {
  const a = parseArray(canonical, 7);
  return a === null ? null : itemOf(a);
}

/** Members 1..15 are laid out alike in the version-2 header and the version-1 entry. */
function commonOf(a: readonly unknown[]): Omit<ProofHeaderFields, 'service' | 'reason' | 'itemCount'> | null {
  const [, chain, seq, at, requestId, operationName, operationHash, subjectIss, subjectSub, agency, subjectOrg, roles, purpose, justification, action, recordType] = a;
  if (!isStr(chain) || !isInt(seq) || !isStr(at) || !isStr(requestId) || !isOptStr(operationName) || !isOptStr(operationHash)) return null;
  if (!isOptStr(subjectIss) || !isOptStr(subjectSub) || !isOptStr(agency) || !isOptStr(subjectOrg) || !isStrs(roles)) return null;
  if (!isOptStr(purpose) || !isOptStr(justification) || !isStr(action) || !isOptStr(recordType)) return null;
  return { chain, seq, at, requestId, operationName, operationHash, subjectIss, subjectSub, agency, subjectOrg, roles, purpose, justification, action, recordType };
}

export interface DecodedHeader {
  readonly fields: ProofHeaderFields;
  /** Version 1 only: the canonical text of the one item the entry holds (positions 16..22). */
  readonly legacyItem: string | null;
}

/** A version-2 canonical header, or a version-1 canonical entry. */
export function decodeHeader(version: EventVersion, text: string): DecodedHeader | null {
  if (version === 2) {
    const a = parseArray(text, 19);
    if (a === null || a[0] !== EVENT_FORMAT) return null;
    const common = commonOf(a);
    const [service, reason, itemCount] = [a[16], a[17], a[18]];
    if (common === null || !isStr(service) || !isOptStr(reason) || !isInt(itemCount) || itemCount < 1) return null;
    return { fields: { ...common, service, reason, itemCount }, legacyItem: null };
  }
  const a = parseArray(text, 25);
  if (a === null || a[0] !== CANONICAL_VERSION) return null;
  const common = commonOf(a);
  const item = a.slice(16, 23);
  const [service, reason] = [a[23], a[24]];
  if (common === null || itemOf(item) === null || !isStr(service) || !isOptStr(reason)) return null;
  // Re-encoding a parsed JSON.stringify output gives back the same bytes: this is exactly the
  // item array as the entry's writer encoded it.
  return { fields: { ...common, service, reason, itemCount: 1 }, legacyItem: JSON.stringify(item) };
}

/** Deep equality of two JSON values (the proof's shown fields against the decoded ones). */
export const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)).map(([k, v]) => [k, sortKeys(v)]));
  }
  return value;
}
