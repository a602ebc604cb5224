import type { PolicyAttributes } from '../../lib/access/decision.js';
import { linkedOrgs } from '../../lib/access/person-facts.js';
import { factsFresh } from '../../lib/facts/fresh.js';
import { metaColumns, readMeta } from '../../lib/access/record-meta.js';
import { SECTORS } from '../../lib/domain.js';
import { calendarDateOrNull, bool, date, dateOrNull, oneOf, text, textArray, textOrNull } from '../../lib/store/row.js';
import { raw, sql, type Sql } from '../../lib/store/sql.js';
import type { Row } from '../../lib/store/store.js';
import {
  NetworkKindValues,
  NetworkStatusValues,
  ThreatLevelValues,
  TransferStatusValues,
  type NetworkKind,
  type NetworkStatus,
  type ThreatLevel,
  type TransferStatus,
} from '../../schema/generated/ice.js';

/** ICE's records as resolvers and the policy engine see them: schema fields plus policy facts. */


/** 28 CFR 23: criminal intelligence not revalidated within five years is owner-only. */
const REVIEW_AFTER_MS = 5 * 365.25 * 24 * 3600 * 1000;

export interface NetworkRecord extends Readonly<PolicyAttributes['Network']> {
  readonly name: string;
  readonly kind: NetworkKind;
  readonly threatLevel: ThreatLevel;
  readonly status: NetworkStatus;
  readonly sectors: readonly string[];
  readonly intelligenceBasis: string | null;
  readonly analyticSummary: string | null;
  readonly reviewRequired: boolean;
}

export const NETWORK_SELECT = sql`SELECT n.* FROM ice.networks n`;
export const NETWORK_FROM = sql`FROM ice.networks n`;
export const networkColumns = (): Record<string, Sql> => ({
  ...metaColumns('n'),
  lastValidatedAt: raw('n.last_validated_at'),
});

export function readNetwork(row: Row, now: Date): NetworkRecord {
  const lastValidatedAt = date(row, 'last_validated_at');
  return Object.assign(readMeta(row), {
    name: text(row, 'name'),
    kind: oneOf(row, 'kind', NetworkKindValues),
    threatLevel: oneOf(row, 'threat_level', ThreatLevelValues),
    status: oneOf(row, 'status', NetworkStatusValues),
    sectors: textArray(row, 'sectors').filter((sector) => (SECTORS as readonly string[]).includes(sector)),
    intelligenceBasis: textOrNull(row, 'intelligence_basis'),
    analyticSummary: textOrNull(row, 'analytic_summary'),
    lastValidatedAt,
    reviewRequired: now.getTime() - lastValidatedAt.getTime() > REVIEW_AFTER_MS,
  });
}

export const reviewCutoff = (now: Date): Date => new Date(now.getTime() - REVIEW_AFTER_MS);

export interface PersonRecord extends Readonly<PolicyAttributes['Person']> {
  readonly name: string;
  readonly dateOfBirth: string | null;
  readonly nationality: string | null;
  readonly aNumber: string | null;
}

export const PERSON_SELECT = sql`SELECT p.*, ${linkedOrgs(raw('p.id'))} AS linked_orgs FROM ice.persons p`;

export function readPerson(row: Row): PersonRecord {
  return Object.assign(readMeta(row), {
    name: text(row, 'name'),
    dateOfBirth: calendarDateOrNull(row, 'date_of_birth'),
    nationality: textOrNull(row, 'nationality'),
    aNumber: textOrNull(row, 'a_number'),
    protected1367: bool(row, 'protected1367'),
    linkedOrgs: textArray(row, 'linked_orgs'),
  });
}

export interface TransferRecord extends Readonly<PolicyAttributes['Transfer']> {
  readonly status: TransferStatus;
  readonly fromFacility: string | null;
  readonly toFacility: string;
  readonly requestedAt: Date;
  readonly acceptedAt: Date | null;
  readonly departedAt: Date | null;
  readonly completedAt: Date | null;
  readonly reason: string | null;
  readonly medicalSummary: string | null;
}

/**
 * NGOs holding an active referral for the transferred person whose consent, unexpired and
 * unrevoked at `now`, asks for transfer notification (rule 4), as the NGOs publish it
 * (ngo_facts.transfer_notification). Only an explicit `notify = true` from fresh NGO facts
 * notifies: a NULL flag or a stale copy reads as not notified.
 */
const notifiableNgoOrgs = (personId: Sql, now: Date): Sql => sql`ARRAY(
  SELECT DISTINCT n.ngo_org FROM ngo_facts.transfer_notification n
  WHERE n.person_id = ${personId} AND n.notify IS TRUE AND n.ngo_org IS NOT NULL
    AND (n.expires_at IS NULL OR n.expires_at > ${now}) AND ${factsFresh('ngo')})`;

export const transferSelect = (now: Date): Sql =>
  sql`SELECT t.*, ${notifiableNgoOrgs(raw('t.person_id'), now)} AS notifiable_ngo_orgs FROM ice.transfers t`;
export const TRANSFER_FROM = sql`FROM ice.transfers t`;
export const transferColumns = (now: Date): Record<string, Sql> => ({
  ...metaColumns('t'),
  personId: raw('t.person_id'),
  fromOrg: raw('t.from_org'),
  toOrg: raw('t.to_org'),
  notifiableNgoOrgs: notifiableNgoOrgs(raw('t.person_id'), now),
});

export function readTransfer(row: Row): TransferRecord {
  return Object.assign(readMeta(row), {
    personId: text(row, 'person_id'),
    status: oneOf(row, 'status', TransferStatusValues),
    fromOrg: text(row, 'from_org'),
    fromFacility: textOrNull(row, 'from_facility'),
    toOrg: text(row, 'to_org'),
    toFacility: text(row, 'to_facility'),
    requestedAt: date(row, 'requested_at'),
    acceptedAt: dateOrNull(row, 'accepted_at'),
    departedAt: dateOrNull(row, 'departed_at'),
    completedAt: dateOrNull(row, 'completed_at'),
    reason: textOrNull(row, 'reason'),
    medicalSummary: textOrNull(row, 'medical_summary'),
    notifiableNgoOrgs: textArray(row, 'notifiable_ngo_orgs'),
  });
}
