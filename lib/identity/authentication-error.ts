import { TributaryError } from '../errors.js';

/**
 * Why a credential was refused, as a stable code beside the human message: the audit entry of a
 * failed attempt records it, and clients may switch on it (`extensions.reason`). It never carries
 * the token or any key material.
 */
export const AUTHENTICATION_FAILURES = [
  'missing_token',
  'bad_scheme',
  'malformed_token',
  'unsupported_algorithm',
  'untrusted_issuer',
  'signature_invalid',
  'expired',
  'not_yet_valid',
  'lifetime_too_long',
  'wrong_audience',
  'missing_claim',
  'invalid_claim',
  'keys_unavailable',
  'verification_failed',
] as const;
export type AuthenticationFailure = (typeof AUTHENTICATION_FAILURES)[number];

export function authenticationError(reason: AuthenticationFailure, message: string, cause?: unknown): TributaryError {
  return new TributaryError('UNAUTHENTICATED', message, {
    details: { reason },
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * Attacker-chosen strings (an `alg`, an `iss`) are quoted back so that the caller can see what was
 * wrong, but cut short and stripped of control characters so that they cannot flood or forge log lines.
 */
export function quoteUntrusted(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  const printable = text.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '?');
  return JSON.stringify(printable.length > 64 ? `${printable.slice(0, 64)}…` : printable);
}
