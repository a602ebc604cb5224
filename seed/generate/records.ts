import type { Agency, Purpose, Sector } from '../../lib/domain.js';
import { DAY, HOUR, MINUTE, atMinute, calendarDate, earliest, plus } from '../clock.js';
import type { Random } from '../random.js';
import {
  CBP_ORG_BY_SECTOR,
  DHS,
  ICE_CUSTODY_ORG,
  NGO_SECTORS,
  PARTNER_AREAS,
  type DetainerStatus,
  type Disposition,
  type NgoOrg,
  type PartnerOrg,
  type ReferralService,
  type ReferralStatus,
  type TransferStatus,
} from '../vocabulary.js';
import type { BookingRow, ConsentRow, EncounterRow, ReferralRow, RouteRow, TransferRow } from '../world.js';
import { sortJurisdictions, type PersonDraft, type WorldBuilder } from './builder.js';
import { SECTOR_AREAS, facilitySector, type Facility } from './places.js';
import { referralCircumstances, referralNotes } from './texts.js';

/**
 * The primitive events of the world: an encounter, a transfer request and how far it got, a
 * booking, a referral with its consent. Both the anchored scenarios and the random population
 * are told with these, so every record is internally consistent whichever made it.
 */

const jitter = (random: Random, at: Date, minHours: number, maxHours: number): Date =>
  atMinute(at.getTime() + random.float(minHours * HOUR, maxHours * HOUR));

export interface EncounterSpec {
  readonly person: PersonDraft;
  readonly sector: Sector;
  readonly route: RouteRow | null;
  readonly occurredAt: Date;
  readonly disposition: Disposition;
  readonly unaccompaniedMinor?: boolean;
  readonly familyUnit?: boolean;
  readonly medicalSummary?: string | null;
  readonly station?: string;
  readonly disseminate?: readonly string[];
}

export function recordEncounter(builder: WorldBuilder, random: Random, spec: EncounterSpec): EncounterRow {
  const jurisdictions = sortJurisdictions([spec.sector, ...(spec.route?.jurisdictions ?? [])]);
  const createdAt = jitter(random, spec.occurredAt, 0.5, 3);
  const encounter: EncounterRow = {
    id: builder.nextId('encounter'),
    ownerOrg: CBP_ORG_BY_SECTOR[spec.sector],
    ownerAgency: 'CBP',
    sensitivity: 'LAW_ENFORCEMENT_SENSITIVE',
    jurisdictions,
    disseminate: spec.disseminate ?? [DHS],
    createdAt,
    updatedAt: jitter(random, createdAt, 1, 12),
    occurredAt: spec.occurredAt,
    sector: spec.sector,
    station: spec.station ?? random.pick(SECTOR_AREAS[spec.sector].stations),
    routeId: spec.route?.id ?? null,
    personId: spec.person.id,
    disposition: spec.disposition,
    unaccompaniedMinor: spec.unaccompaniedMinor ?? false,
    familyUnit: spec.familyUnit ?? false,
    medicalNeed: (spec.medicalSummary ?? null) !== null,
    medicalSummary: spec.medicalSummary ?? null,
  };
  builder.encounters.push(encounter);
  builder.touch(spec.person, spec.occurredAt, jurisdictions);
  return encounter;
}

export const OPEN_TRANSFER_STATUSES: readonly TransferStatus[] = ['REQUESTED', 'ACCEPTED', 'IN_TRANSIT'];
export const isOpen = (status: TransferStatus): boolean => OPEN_TRANSFER_STATUSES.includes(status);

/**
 * When a transfer now in `status` was requested. Open transfers were requested days ago (a
 * month-old request still pending would be odd); the steps after a request take at most 44
 * hours, so a request two days old has finished every step it reached before "now".
 */
export function openRequestTime(random: Random, now: Date): Date {
  return atMinute(now.getTime() - random.float(2 * DAY, 6 * DAY));
}

export interface TransferSpec {
  readonly person: PersonDraft;
  readonly owner: { readonly org: string; readonly agency: Agency };
  readonly fromOrg: string;
  readonly fromFacility: string | null;
  readonly to: Facility;
  readonly requestedAt: Date;
  readonly status: TransferStatus;
  readonly reason: string;
  readonly medicalSummary: string | null;
  readonly disseminate: readonly string[];
  /** Jurisdictions of where the person is picked up. */
  readonly origin: readonly string[];
}

export function requestTransfer(builder: WorldBuilder, random: Random, spec: TransferSpec): TransferRow {
  const { status, requestedAt } = spec;
  const accepted = status === 'ACCEPTED' || status === 'IN_TRANSIT' || status === 'COMPLETED' || (status === 'CANCELLED' && random.chance(0.4));
  const acceptedAt = accepted ? jitter(random, requestedAt, 1, 20) : null;
  const departedAt = acceptedAt !== null && (status === 'IN_TRANSIT' || status === 'COMPLETED') ? jitter(random, acceptedAt, 1, 10) : null;
  const completedAt = departedAt !== null && status === 'COMPLETED' ? jitter(random, departedAt, 2, 14) : null;
  const cancelledAt = status === 'CANCELLED' ? jitter(random, acceptedAt ?? requestedAt, 1, 20) : null;
  const last = completedAt ?? cancelledAt ?? departedAt ?? acceptedAt ?? requestedAt;
  if (last > builder.now) throw new Error(`Seed generator bug: transfer steps run past now (${last.toISOString()})`);
  const jurisdictions = sortJurisdictions([...spec.origin, facilitySector(spec.to.name) ?? spec.to.sector]);
  const transfer: TransferRow = {
    id: builder.nextId('transfer'),
    ownerOrg: spec.owner.org,
    ownerAgency: spec.owner.agency,
    sensitivity: spec.medicalSummary === null ? 'SENSITIVE' : 'LAW_ENFORCEMENT_SENSITIVE',
    jurisdictions,
    disseminate: spec.disseminate,
    createdAt: requestedAt,
    updatedAt: atMinute(last.getTime() + MINUTE),
    personId: spec.person.id,
    status,
    fromOrg: spec.fromOrg,
    fromFacility: spec.fromFacility,
    toOrg: ICE_CUSTODY_ORG,
    toFacility: spec.to.name,
    requestedAt,
    acceptedAt,
    departedAt,
    completedAt,
    cancelledAt,
    reason: spec.reason,
    medicalSummary: spec.medicalSummary,
  };
  builder.transfers.push(transfer);
  builder.touch(spec.person, last, jurisdictions);
  return transfer;
}

export interface BookingSpec {
  readonly person: PersonDraft;
  readonly partner: PartnerOrg;
  readonly bookedAt: Date;
  readonly charges: readonly string[];
  readonly detainerStatus: DetainerStatus;
  readonly releasedAt: Date | null;
  readonly transfer: TransferRow | null;
}

export function recordBooking(builder: WorldBuilder, random: Random, spec: BookingSpec): BookingRow {
  const area = PARTNER_AREAS[spec.partner];
  const jurisdictions = sortJurisdictions([area.county, area.sector]);
  const createdAt = jitter(random, spec.bookedAt, 0.2, 2);
  const booking: BookingRow = {
    id: builder.nextId('booking'),
    ownerOrg: spec.partner,
    ownerAgency: 'PARTNER',
    sensitivity: 'LAW_ENFORCEMENT_SENSITIVE',
    jurisdictions,
    // Under the 287(g) agreement every booking is screened by ICE.
    disseminate: [DHS],
    createdAt,
    updatedAt: spec.releasedAt ?? spec.transfer?.updatedAt ?? createdAt,
    personId: spec.person.id,
    county: area.county,
    bookedAt: spec.bookedAt,
    charges: spec.charges,
    detainerStatus: spec.detainerStatus,
    releaseDate: spec.releasedAt === null ? null : calendarDate(spec.releasedAt),
    transferId: spec.transfer?.id ?? null,
  };
  builder.bookings.push(booking);
  builder.touch(spec.person, spec.bookedAt, jurisdictions);
  return booking;
}

export type ConsentState = 'active' | 'revoked' | 'expired';

export interface ConsentPlan {
  readonly grantees: readonly string[];
  readonly purposes: readonly Purpose[];
  readonly notifyTransfers: boolean;
  readonly state: ConsentState;
}

export interface ReferralSpec {
  readonly person: PersonDraft;
  readonly fromOrg: string;
  readonly toOrg: NgoOrg;
  readonly service: ReferralService;
  /** Where the person is; an NGO not serving that sector takes them at its main one. */
  readonly sector: Sector;
  readonly createdAt: Date;
  readonly status?: ReferralStatus;
  readonly consent: ConsentPlan;
}

export function refer(builder: WorldBuilder, random: Random, spec: ReferralSpec): ReferralRow {
  const served = NGO_SECTORS[spec.toOrg];
  const sector = served.includes(spec.sector) ? spec.sector : (served[0] ?? spec.sector);
  const providers = builder.providersAt(spec.toOrg, sector);
  const provider = providers.find((candidate) => candidate.services.includes(spec.service)) ?? providers[0] ?? null;
  const status = spec.status ?? referralStatus(random, builder.now.getTime() - spec.createdAt.getTime());
  const referral: ReferralRow = {
    id: builder.nextId('referral'),
    // The receiving NGO holds the referral (rule 9), whoever sent it.
    ownerOrg: spec.toOrg,
    ownerAgency: 'NGO',
    sensitivity: spec.person.protected1367 ? 'RESTRICTED' : 'SENSITIVE',
    jurisdictions: [sector],
    // Consent, not dissemination, decides who beyond the two parties sees a referral (rule 5).
    disseminate: [],
    createdAt: spec.createdAt,
    updatedAt: status === 'OPEN' ? spec.createdAt : earliest(jitter(random, spec.createdAt, 1, 40), builder.now),
    personId: spec.person.id,
    fromOrg: spec.fromOrg,
    toOrg: spec.toOrg,
    service: spec.service,
    status,
    providerId: provider?.id ?? null,
    notes: referralNotes(random, spec.service),
    circumstances: referralCircumstances(random, spec.service),
  };
  builder.referrals.push(referral);
  builder.consents.push(consentRow(builder.now, random, referral, spec.consent));
  return referral;
}

function referralStatus(random: Random, ageMs: number): ReferralStatus {
  if (ageMs < 7 * DAY) return random.weighted({ OPEN: 6, ACCEPTED: 4 });
  if (ageMs < 60 * DAY) return random.weighted({ ACCEPTED: 4, IN_PROGRESS: 5, DECLINED: 1 });
  return random.weighted({ CLOSED: 7, IN_PROGRESS: 2, DECLINED: 1 });
}

function consentRow(now: Date, random: Random, referral: ReferralRow, plan: ConsentPlan): ConsentRow {
  const grantedAt = jitter(random, referral.createdAt, 0, 2);
  const room = now.getTime() - grantedAt.getTime();
  // A consent given less than three days ago has not had time to lapse or be withdrawn.
  const state: ConsentState = room < 3 * DAY ? 'active' : plan.state;
  const between = (from: number, to: number): Date => atMinute(random.float(from, to));
  const start = grantedAt.getTime() + DAY;
  const end = now.getTime() - DAY;
  const future = (): Date => atMinute(now.getTime() + random.float(30 * DAY, 365 * DAY));
  return {
    referralId: referral.id,
    grantees: plan.grantees,
    purposes: plan.purposes,
    notifyTransfers: plan.notifyTransfers,
    grantedAt,
    expiresAt: state === 'expired' ? between(start, end) : random.chance(0.5) ? null : future(),
    revokedAt: state === 'revoked' ? between(start, end) : null,
  };
}

export const plusDays = (at: Date, days: number): Date => atMinute(plus(at, days * DAY).getTime());
