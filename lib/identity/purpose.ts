import { PURPOSES, isPurpose } from '../domain.js';
import type { Principal, Purpose } from '../domain.js';
import { TributaryError } from '../errors.js';
import { quoteUntrusted } from './authentication-error.js';

export const PURPOSE_HEADER = 'x-purpose-of-use';
export const JUSTIFICATION_HEADER = 'x-justification';
export const MAX_JUSTIFICATION_LENGTH = 200;

/** Purposes that must name a case or referral number (SPEC section 3). */
const NEEDS_JUSTIFICATION: ReadonlySet<Purpose> = new Set<Purpose>(['INVESTIGATION']);

export interface PurposeHeaders {
  readonly purpose: string | undefined;
  readonly justification: string | undefined;
}

export interface PurposeOfUse {
  readonly purpose: Purpose;
  /** The case or referral number, as written to every audit entry of the request. */
  readonly justification: string | null;
}

/**
 * The purpose a request is made for, checked against what the caller's token allows. Runs before
 * any data is read: a request without a purpose it may invoke is refused whole (SPEC section 3).
 */
export function resolvePurpose(principal: Principal, headers: PurposeHeaders): PurposeOfUse {
  const stated = headers.purpose?.trim();
  if (stated === undefined || stated === '') {
    const held = principal.purposes.length > 0 ? `this token may state ${principal.purposes.join(', ')}` : 'this token holds no purposes';
    throw new TributaryError('PURPOSE_REQUIRED', `Header ${PURPOSE_HEADER} is required; ${held}`);
  }
  if (!isPurpose(stated)) {
    throw new TributaryError('PURPOSE_REQUIRED', `Unknown purpose of use ${quoteUntrusted(stated)}; expected one of ${PURPOSES.join(', ')}`);
  }
  if (!principal.purposes.includes(stated)) {
    throw new TributaryError('PURPOSE_REQUIRED', `Purpose ${stated} is not among this token's purposes (${principal.purposes.join(', ') || 'none'})`, {
      details: { purpose: stated },
    });
  }
  return { purpose: stated, justification: resolveJustification(stated, headers.justification) };
}

// Control and format characters (newlines, bidi overrides, zero-width) would let a justification
// forge or hide text in audit views and logs.
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

function resolveJustification(purpose: Purpose, header: string | undefined): string | null {
  const justification = header?.trim() ?? '';
  if (justification === '') {
    if (!NEEDS_JUSTIFICATION.has(purpose)) return null;
    throw new TributaryError('PURPOSE_REQUIRED', `Header ${JUSTIFICATION_HEADER} (a case or referral number) is required for ${purpose}`, {
      details: { purpose },
    });
  }
  if ([...justification].length > MAX_JUSTIFICATION_LENGTH) {
    throw new TributaryError('PURPOSE_REQUIRED', `Header ${JUSTIFICATION_HEADER} must be at most ${MAX_JUSTIFICATION_LENGTH} characters`, {
      details: { purpose },
    });
  }
  if (UNPRINTABLE.test(justification)) {
    throw new TributaryError('PURPOSE_REQUIRED', `Header ${JUSTIFICATION_HEADER} must contain printable characters only`, {
      details: { purpose },
    });
  }
  return justification;
}
