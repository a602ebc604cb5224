import { AGENCIES, PURPOSES, ROLES, SECTORS, isAgency, isPurpose, isRole, isSector } from '../domain.js';
import type { Principal } from '../domain.js';
import { authenticationError, quoteUntrusted } from './authentication-error.js';

/**
 * The subject attributes of SPEC section 2 as they travel in a token: a Principal without the
 * issuer, which the verifier adds from the checked `iss` claim. The development issuer, the
 * personas and the token command all speak this type.
 */
export type SubjectClaims = Omit<Principal, 'iss'>;

/** A sector (`TUCSON`) or a county (`county:saguaro`). */
const COUNTY = /^county:[a-z0-9][a-z0-9-]{0,62}$/;
export const isJurisdiction = (value: unknown): value is string =>
  isSector(value) || (typeof value === 'string' && COUNTY.test(value));

/**
 * Identifiers end up in policy comparisons, audit entries and logs: printable, no spaces, bounded.
 * Anything else is a broken or hostile issuer, not a spelling variant to tolerate.
 */
const IDENTIFIER = /^[\p{L}\p{N}._@:+\/-]{1,256}$/u;

/**
 * Validates the subject attributes of a verified token's payload. Missing booleans are false and
 * missing lists empty (an issuer that says nothing grants nothing); a present claim of the wrong
 * type, or an unknown agency, role, purpose or jurisdiction, rejects the whole token, because
 * guessing what an issuer meant would hand out access it did not grant.
 */
export function parseSubjectClaims(payload: Readonly<Record<string, unknown>>): SubjectClaims {
  const sub = payload['sub'];
  if (sub === undefined) throw authenticationError('missing_claim', 'claim "sub" is required');
  if (typeof sub !== 'string' || !IDENTIFIER.test(sub)) {
    throw authenticationError('invalid_claim', 'claim "sub" invalid: expected a non-empty identifier without spaces');
  }

  const agency = payload['agency'];
  if (agency === undefined) throw authenticationError('missing_claim', 'claim "agency" is required');
  if (!isAgency(agency)) {
    throw authenticationError('invalid_claim', `claim "agency" invalid: ${quoteUntrusted(agency)} is not one of ${AGENCIES.join(', ')}`);
  }

  const org = payload['org'];
  if (org === undefined) throw authenticationError('missing_claim', 'claim "org" is required');
  if (typeof org !== 'string' || !IDENTIFIER.test(org)) {
    throw authenticationError('invalid_claim', 'claim "org" invalid: expected a non-empty identifier without spaces');
  }

  return {
    sub,
    agency,
    org,
    roles: listClaim(payload, 'roles', isRole, `one of ${ROLES.join(', ')}`),
    jurisdictions: listClaim(payload, 'jurisdictions', isJurisdiction, `a sector (${SECTORS.join(', ')}) or "county:<name>"`),
    purposes: listClaim(payload, 'purposes', isPurpose, `one of ${PURPOSES.join(', ')}`),
    pii: flagClaim(payload, 'pii'),
    cfr28: flagClaim(payload, 'cfr28'),
    sworn: flagClaim(payload, 'sworn'),
  };
}

function listClaim<T extends string>(
  payload: Readonly<Record<string, unknown>>,
  claim: string,
  isMember: (value: unknown) => value is T,
  expected: string,
): readonly T[] {
  const value = payload[claim];
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    throw authenticationError('invalid_claim', `claim "${claim}" invalid: expected an array of strings`);
  }
  const members: T[] = [];
  for (const item of value as readonly unknown[]) {
    if (!isMember(item)) {
      throw authenticationError('invalid_claim', `claim "${claim}" invalid: ${quoteUntrusted(item)} is not ${expected}`);
    }
    if (!members.includes(item)) members.push(item);
  }
  return Object.freeze(members);
}

function flagClaim(payload: Readonly<Record<string, unknown>>, claim: string): boolean {
  const value = payload[claim];
  if (value === undefined) return false;
  // A string "true" is refused rather than coerced: these flags gate PII and criminal intelligence.
  if (typeof value !== 'boolean') {
    throw authenticationError('invalid_claim', `claim "${claim}" invalid: expected true or false`);
  }
  return value;
}
