import { describe, expect, it } from 'vitest';
import type { Principal } from '../../lib/domain.js';
import { TributaryError } from '../../lib/errors.js';
import { DEV_ISSUER, PERSONAS, resolvePurpose } from '../../lib/identity/index.js';

const analyst: Principal = { iss: DEV_ISSUER, ...PERSONAS['cbp-analyst'] };
const shelter: Principal = { iss: DEV_ISSUER, ...PERSONAS['ngo-shelter'] };

function refusal(principal: Principal, purpose: string | undefined, justification?: string): TributaryError {
  try {
    resolvePurpose(principal, { purpose, justification });
  } catch (error) {
    if (error instanceof TributaryError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('resolvePurpose', () => {
  it('accepts a purpose the token holds, without justification when none is needed', () => {
    expect(resolvePurpose(shelter, { purpose: 'HUMANITARIAN', justification: undefined })).toEqual({ purpose: 'HUMANITARIAN', justification: null });
  });

  it('keeps an optional justification for other purposes', () => {
    expect(resolvePurpose(analyst, { purpose: 'INTERDICTION', justification: ' op SUNSET-7 ' })).toEqual({
      purpose: 'INTERDICTION',
      justification: 'op SUNSET-7',
    });
  });

  it('accepts INVESTIGATION with a case number', () => {
    expect(resolvePurpose(analyst, { purpose: 'INVESTIGATION', justification: 'CASE-2030-0042' })).toEqual({
      purpose: 'INVESTIGATION',
      justification: 'CASE-2030-0042',
    });
  });

  it.each([
    ['no purpose header', shelter, undefined, undefined, /^Header x-purpose-of-use is required/],
    ['an empty purpose header', shelter, '  ', undefined, /^Header x-purpose-of-use is required/],
    ['an unknown purpose', shelter, 'CURIOSITY', undefined, /Unknown purpose of use "CURIOSITY"; expected one of INVESTIGATION/],
    ['a purpose in the wrong case', shelter, 'humanitarian', undefined, /Unknown purpose of use "humanitarian"/],
    ['a purpose the token does not hold', shelter, 'INVESTIGATION', 'CASE-1', /Purpose INVESTIGATION is not among this token's purposes \(HUMANITARIAN, RELEASE_COORDINATION\)/],
    ['INVESTIGATION without justification', analyst, 'INVESTIGATION', undefined, /x-justification \(a case or referral number\) is required for INVESTIGATION/],
    ['INVESTIGATION with a blank justification', analyst, 'INVESTIGATION', '   ', /x-justification .* is required for INVESTIGATION/],
    ['a justification over 200 characters', analyst, 'INVESTIGATION', 'x'.repeat(201), /at most 200 characters/],
    ['a justification with a line break', analyst, 'INVESTIGATION', 'CASE-1\nFORGED AUDIT LINE', /printable characters only/],
    ['a justification with a bidi override', analyst, 'INTERDICTION', 'CASE-\u202E1', /printable characters only/],
  ])('refuses %s with PURPOSE_REQUIRED', (_case, principal, purpose, justification, message) => {
    const error = refusal(principal, purpose, justification);
    expect(error.code).toBe('PURPOSE_REQUIRED');
    expect(error.message).toMatch(message);
  });

  it('allows a justification of exactly 200 characters', () => {
    expect(resolvePurpose(analyst, { purpose: 'INVESTIGATION', justification: 'é'.repeat(200) }).justification).toHaveLength(200);
  });
});
