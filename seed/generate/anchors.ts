import type { Sector } from '../../lib/domain.js';
import { DAY, HOUR, atMinute, minus } from '../clock.js';
import type { Random } from '../random.js';
import { CBP_ORG_BY_SECTOR, DHS, ICE_CUSTODY_ORG, NGO_CLASS, PARTNER_AREAS, type PartnerOrg, type TransferStatus } from '../vocabulary.js';
import type { RouteRow, TransferRow } from '../world.js';
import type { PersonDraft, WorldBuilder } from './builder.js';
import { ICE_FACILITIES, SECTOR_AREAS, drawFacility, facilitySector, type Facility } from './places.js';
import { openRequestTime, plusDays, recordBooking, recordEncounter, refer, requestTransfer, type ConsentPlan } from './records.js';
import { MEDICAL_SUMMARIES, TRANSFER_REASONS } from './texts.js';

/**
 * Anchored scenarios: small stories told first, with people of their own, so that each policy
 * rule of SPEC section 5 can be watched on both sides of its condition at any scale and seed.
 * The random population never reuses these people, so nothing later blurs a contrast drawn
 * here (for instance, no stray referral gives the "no notification" client a consent that
 * notifies). `fixtures.ts` finds the records again by what they are, not by id.
 */
export function generateAnchors(builder: WorldBuilder, random: Random): void {
  const story = new Story(builder, random);
  story.releasedFamilyLaterBooked();
  story.releaseCoordinationConsents();
  story.protectedVictims();
  story.detainedClients();
  story.partnerCustody();
  story.otherEncounters();
}

const daysAgo = (now: Date, days: number): Date => atMinute(minus(now, days * DAY).getTime());

class Story {
  constructor(
    private readonly builder: WorldBuilder,
    private readonly random: Random,
  ) {}

  /** A family released to a shelter; the parent is later booked in Saguaro County and handed to ICE. */
  releasedFamilyLaterBooked(): void {
    const { builder, random } = this;
    const met = daysAgo(builder.now, 420);
    const parent = this.person('GTM', [26, 40], met);
    const child = this.person('GTM', [4, 10], met);
    const route = this.route('TUCSON');
    for (const person of [parent, child]) {
      recordEncounter(builder, random, { person, sector: 'TUCSON', route, occurredAt: met, disposition: 'RELEASED', familyUnit: true });
    }
    refer(builder, random, {
      person: parent,
      fromOrg: 'cbp-tucson',
      toOrg: 'ngo-desert-refuge',
      service: 'SHELTER',
      sector: 'TUCSON',
      createdAt: plusDays(met, 0.25),
      consent: { grantees: ['CBP'], purposes: ['RELEASE_COORDINATION'], notifyTransfers: false, state: 'active' },
    });
    this.booking('partner-saguaro-so', parent, daysAgo(builder.now, 75), 'HONORED', 'COMPLETED');
    this.legalReferral(parent, daysAgo(builder.now, 60), { grantees: [], purposes: ['LEGAL_SERVICES'], notifyTransfers: true, state: 'active' });
  }

  /** Released adults referred to a shelter, each consent differing from the first in one respect. */
  releaseCoordinationConsents(): void {
    const plans: readonly ConsentPlan[] = [
      { grantees: ['ICE'], purposes: ['RELEASE_COORDINATION'], notifyTransfers: false, state: 'active' },
      { grantees: ['ICE'], purposes: ['RELEASE_COORDINATION'], notifyTransfers: false, state: 'revoked' },
      { grantees: ['ICE'], purposes: ['RELEASE_COORDINATION'], notifyTransfers: false, state: 'expired' },
      { grantees: ['ICE'], purposes: ['LEGAL_SERVICES'], notifyTransfers: false, state: 'active' },
      { grantees: ['ice-ero-phoenix'], purposes: ['CUSTODY_TRANSFER', 'RELEASE_COORDINATION'], notifyTransfers: false, state: 'active' },
      { grantees: ['CBP', 'ICE'], purposes: ['RELEASE_COORDINATION'], notifyTransfers: false, state: 'active' },
      { grantees: [], purposes: [], notifyTransfers: false, state: 'active' },
    ];
    plans.forEach((consent, i) => {
      const sector: Sector = i % 2 === 0 ? 'TUCSON' : 'RGV';
      const met = daysAgo(this.builder.now, 30 + 9 * i);
      const person = this.person(i % 3 === 0 ? 'HND' : 'MEX', [19, 55], met);
      this.releasedToShelter(person, sector, met, consent);
    });
  }

  /** Victims protected by 8 U.S.C. 1367, whose consent grants enforcement agencies anyway. */
  protectedVictims(): void {
    const { builder, random } = this;
    const detainedAt = daysAgo(builder.now, 200);
    const detained = this.person('HND', [20, 35], detainedAt, true);
    this.intake(detained, 'TUCSON', detainedAt, 'COMPLETED');
    refer(builder, random, {
      person: detained,
      fromOrg: 'ngo-desert-refuge',
      toOrg: 'ngo-frontera-legal',
      service: 'TRAFFICKING_SUPPORT',
      sector: 'TUCSON',
      createdAt: daysAgo(builder.now, 150),
      consent: {
        grantees: ['ICE', 'CBP'],
        purposes: ['RELEASE_COORDINATION', 'CUSTODY_TRANSFER', 'LEGAL_SERVICES'],
        notifyTransfers: true,
        state: 'active',
      },
    });

    const releasedAt = daysAgo(builder.now, 90);
    const released = this.person('GTM', [18, 30], releasedAt, true);
    // CBP sent this referral itself, and still may not see it: rule 6 overrides the sender's view.
    this.releasedToShelter(released, 'RGV', releasedAt, { grantees: ['CBP'], purposes: ['RELEASE_COORDINATION'], notifyTransfers: false, state: 'active' });
    this.legalReferral(released, plusDays(releasedAt, 5), {
      grantees: ['ice-ero-phoenix'],
      purposes: ['CUSTODY_TRANSFER', 'RELEASE_COORDINATION'],
      notifyTransfers: false,
      state: 'active',
    });
  }

  /** People in ICE custody with a legal-aid referral: notification consented, not, withdrawn, lapsed. */
  detainedClients(): void {
    const plans: readonly ConsentPlan[] = [
      { grantees: [], purposes: ['LEGAL_SERVICES'], notifyTransfers: true, state: 'active' },
      { grantees: [], purposes: ['LEGAL_SERVICES'], notifyTransfers: false, state: 'active' },
      { grantees: [], purposes: ['LEGAL_SERVICES'], notifyTransfers: true, state: 'revoked' },
      { grantees: [], purposes: ['LEGAL_SERVICES'], notifyTransfers: true, state: 'expired' },
    ];
    plans.forEach((consent, i) => {
      const sector: Sector = i % 2 === 0 ? 'RGV' : 'TUCSON';
      const met = daysAgo(this.builder.now, 100 + 20 * i);
      const person = this.person('SLV', [20, 45], met);
      const intake = this.intake(person, sector, met, 'COMPLETED', i === 0 ? (MEDICAL_SUMMARIES[2] ?? null) : null);
      this.legalReferral(person, plusDays(met, 30), consent);
      this.move(person, intake, i === 0 ? 'IN_TRANSIT' : 'COMPLETED');
    });
  }

  /** 287(g) bookings: detainers lodged, honored, declined, and a citizen with no detainer at all. */
  partnerCustody(): void {
    const { builder } = this;
    const requested = openRequestTime(this.random, builder.now);
    this.booking('partner-saguaro-so', this.person('MEX', [20, 50], requested), minus(requested, 30 * HOUR), 'LODGED', 'REQUESTED');
    this.booking('partner-saguaro-so', this.person('MEX', [20, 50], builder.now), daysAgo(builder.now, 300), 'LODGED', 'CANCELLED');
    this.booking('partner-saguaro-so', this.person('USA', [20, 50], builder.now), daysAgo(builder.now, 45), 'NONE', null);
    this.booking('partner-mesquite-so', this.person('HND', [20, 50], builder.now), daysAgo(builder.now, 40), 'HONORED', 'COMPLETED');
    const moving = openRequestTime(this.random, builder.now);
    this.booking('partner-mesquite-so', this.person('GTM', [20, 50], moving), minus(moving, 40 * HOUR), 'HONORED', 'IN_TRANSIT');
    this.booking('partner-mesquite-so', this.person('MEX', [20, 50], builder.now), daysAgo(builder.now, 20), 'DECLINED', null);
  }

  /** An accepted CBP transfer, one ICE called off (releasing the person to the shelter), a CBP-only encounter, an unaccompanied child. */
  otherEncounters(): void {
    const { builder, random } = this;
    const calledOff = daysAgo(builder.now, 50);
    const released = this.person('VEN', [20, 45], calledOff);
    const cancelled = this.intake(released, 'TUCSON', calledOff, 'CANCELLED');
    refer(builder, random, {
      person: released,
      fromOrg: ICE_CUSTODY_ORG,
      toOrg: 'ngo-desert-refuge',
      service: 'SHELTER',
      sector: 'TUCSON',
      createdAt: plusDays(cancelled.cancelledAt ?? calledOff, 0.1),
      consent: { grantees: ['ICE'], purposes: ['RELEASE_COORDINATION'], notifyTransfers: false, state: 'active' },
    });
    const accepted = openRequestTime(random, builder.now);
    this.intake(this.person('ECU', [18, 40], accepted), 'TUCSON', minus(accepted, 5 * HOUR), 'ACCEPTED');
    const met = daysAgo(builder.now, 12);
    recordEncounter(builder, random, {
      person: this.person('MEX', [18, 40], met),
      sector: 'TUCSON',
      route: this.route('TUCSON'),
      occurredAt: met,
      disposition: 'VOLUNTARY_RETURN',
      disseminate: [],
    });
    const child = this.person('GTM', [13, 16], daysAgo(builder.now, 25));
    const childMet = daysAgo(builder.now, 25);
    recordEncounter(builder, random, { person: child, sector: 'RGV', route: this.route('RGV'), occurredAt: childMet, disposition: 'RELEASED', unaccompaniedMinor: true });
    refer(builder, random, {
      person: child,
      fromOrg: 'cbp-rgv',
      toOrg: 'ngo-desert-refuge',
      service: 'CHILD_WELFARE',
      sector: 'RGV',
      createdAt: plusDays(childMet, 0.3),
      consent: { grantees: ['CBP'], purposes: ['RELEASE_COORDINATION'], notifyTransfers: false, state: 'active' },
    });
  }

  // ---- the steps the stories are told with

  private person(nationality: 'GTM' | 'HND' | 'MEX' | 'SLV' | 'ECU' | 'VEN' | 'USA', age: readonly [number, number], at: Date, protected1367 = false): PersonDraft {
    return this.builder.addPerson(this.random, { nationality, age, at, protected1367, anchored: true });
  }

  private route(sector: Sector): RouteRow {
    const route = this.builder.routes.find((candidate) => candidate.sector === sector && candidate.disseminate.includes(NGO_CLASS));
    if (route === undefined) throw new Error(`Seed generator bug: no shared route in ${sector}`);
    return route;
  }

  private facility(sector: Sector, except?: string): Facility {
    const facility = ICE_FACILITIES.find((candidate) => candidate.sector === sector && candidate.name !== except) ?? ICE_FACILITIES.find((candidate) => candidate.name !== except);
    if (facility === undefined) throw new Error('Seed generator bug: no ICE facility');
    return facility;
  }

  private releasedToShelter(person: PersonDraft, sector: Sector, met: Date, consent: ConsentPlan): void {
    const { builder, random } = this;
    recordEncounter(builder, random, { person, sector, route: this.route(sector), occurredAt: met, disposition: 'RELEASED' });
    refer(builder, random, {
      person,
      fromOrg: CBP_ORG_BY_SECTOR[sector],
      toOrg: 'ngo-desert-refuge',
      service: 'SHELTER',
      sector,
      createdAt: plusDays(met, 0.25),
      consent,
    });
  }

  private legalReferral(person: PersonDraft, createdAt: Date, consent: ConsentPlan): void {
    refer(this.builder, this.random, {
      person,
      fromOrg: 'ngo-desert-refuge',
      toOrg: 'ngo-frontera-legal',
      service: person.protected1367 ? 'TRAFFICKING_SUPPORT' : 'LEGAL',
      sector: 'TUCSON',
      createdAt,
      // A case still being worked: only an active referral lets its consent notify transfers (rule 4).
      status: 'IN_PROGRESS',
      consent,
    });
  }

  /** Encountered, then handed by CBP to ICE. */
  private intake(person: PersonDraft, sector: Sector, met: Date, status: TransferStatus, medicalSummary: string | null = null): TransferRow {
    const { builder, random } = this;
    const encounter = recordEncounter(builder, random, {
      person,
      sector,
      route: this.route(sector),
      occurredAt: met,
      disposition: 'TRANSFERRED_TO_ICE',
      medicalSummary,
      station: SECTOR_AREAS[sector].stations[0] ?? 'Station',
    });
    return requestTransfer(builder, random, {
      person,
      owner: { org: encounter.ownerOrg, agency: 'CBP' },
      fromOrg: encounter.ownerOrg,
      fromFacility: encounter.station,
      to: this.facility(sector),
      requestedAt: plusDays(met, 0.2),
      status,
      reason: TRANSFER_REASONS.intake[0],
      medicalSummary,
      disseminate: [DHS],
      origin: encounter.jurisdictions,
    });
  }

  /** ICE moves a detainee on from where the last transfer left them. */
  private move(person: PersonDraft, from: TransferRow, status: TransferStatus): TransferRow {
    const { builder, random } = this;
    const next = drawFacility(random, facilitySector(from.toFacility) ?? 'TUCSON', from.toFacility);
    return requestTransfer(builder, random, {
      person,
      owner: { org: ICE_CUSTODY_ORG, agency: 'ICE' },
      fromOrg: ICE_CUSTODY_ORG,
      fromFacility: from.toFacility,
      to: next,
      requestedAt: status === 'COMPLETED' ? daysAgo(builder.now, 20) : openRequestTime(random, builder.now),
      status,
      reason: TRANSFER_REASONS.internal[2],
      medicalSummary: from.medicalSummary,
      disseminate: [DHS],
      origin: [facilitySector(from.toFacility) ?? 'TUCSON'],
    });
  }

  private booking(partner: PartnerOrg, person: PersonDraft, bookedAt: Date, detainer: 'NONE' | 'LODGED' | 'HONORED' | 'DECLINED', status: TransferStatus | null): void {
    const { builder, random } = this;
    const area = PARTNER_AREAS[partner];
    const transfer =
      status === null
        ? null
        : requestTransfer(builder, random, {
            person,
            owner: { org: partner, agency: 'PARTNER' },
            fromOrg: partner,
            fromFacility: area.jail,
            to: this.facility(area.sector),
            requestedAt: status === 'REQUESTED' || status === 'IN_TRANSIT' ? atMinute(bookedAt.getTime() + 30 * HOUR) : plusDays(bookedAt, 2),
            status,
            reason: TRANSFER_REASONS.detainer[0],
            medicalSummary: null,
            disseminate: [DHS, partner],
            origin: [area.county, area.sector],
          });
    // Released to ICE when it accepted the transfer, or by the jail when ICE called it off or no
    // detainer held the person; still in the county's custody while a request is pending.
    const releasedAt = transfer === null ? plusDays(bookedAt, 2) : (transfer.cancelledAt ?? transfer.acceptedAt);
    recordBooking(builder, random, {
      person,
      partner,
      bookedAt,
      charges: detainer === 'NONE' ? ['DUI'] : ['Driving without a license'],
      detainerStatus: detainer,
      releasedAt,
      transfer,
    });
  }
}
