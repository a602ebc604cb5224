import type { ReferralStatus } from '../../schema/generated/ngo.js';

/**
 * OPEN → ACCEPTED or DECLINED (the receiving NGO answers the referral); ACCEPTED → IN_PROGRESS
 * or CLOSED (served at once, e.g. a one-night shelter stay); IN_PROGRESS → CLOSED. CLOSED and
 * DECLINED are final: a new need is a new referral, so the history of each one stays readable.
 */
export const REFERRAL_TRANSITIONS: Readonly<Record<ReferralStatus, readonly ReferralStatus[]>> = {
  OPEN: ['ACCEPTED', 'DECLINED'],
  ACCEPTED: ['IN_PROGRESS', 'CLOSED'],
  IN_PROGRESS: ['CLOSED'],
  CLOSED: [],
  DECLINED: [],
};

export const canBecome = (from: ReferralStatus, to: ReferralStatus): boolean => REFERRAL_TRANSITIONS[from].includes(to);

/** Why `from` cannot become `to`, naming the current status and what it may become instead. */
export function transitionRefusal(id: string, from: ReferralStatus, to: ReferralStatus): string {
  const next = REFERRAL_TRANSITIONS[from];
  return next.length === 0
    ? `Referral ${id} is ${from}, which is final; it cannot become ${to}`
    : `Referral ${id} is ${from}; it can become ${next.join(' or ')}, not ${to}`;
}
