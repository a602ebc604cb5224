import { DAY, HOUR, YEAR, atMinute, plus } from '../clock.js';
import type { Random } from '../random.js';
import { DHS, PARTNER_AREAS, type DetainerStatus, type PartnerOrg, type TransferStatus } from '../vocabulary.js';
import type { PersonDraft, WorldBuilder } from './builder.js';
import { drawNationality } from './names.js';
import { drawFacility } from './places.js';
import { isOpen, openRequestTime, recordBooking, requestTransfer } from './records.js';
import { CHARGES, MEDICAL_SUMMARIES, TRANSFER_REASONS } from './texts.js';

/**
 * County jail bookings by the two 287(g) partners. Every booking is screened: citizens get no
 * detainer; for others ICE lodges one or not, and the jail honors or declines it. Some lodged
 * or honored detainers lead to a transfer request owned by the partner.
 */

type Who = 'newcomer' | 'citizen' | 'member' | 'known';

export function generateBookings(builder: WorldBuilder, random: Random): void {
  const { now, counts } = builder;
  const members = [...new Set(builder.networkMembers.map((member) => member.personId))]
    .map((id) => builder.person(id))
    .filter((person) => !person.anchored);
  // People CBP let go or sent back, who may turn up in a county jail later.
  const known = [...new Set(builder.encounters.filter((encounter) => encounter.disposition !== 'TRANSFERRED_TO_ICE').map((encounter) => encounter.personId))]
    .map((id) => builder.person(id))
    .filter((person) => !person.anchored);

  while (builder.bookings.length < counts.bookings) {
    const partner = random.weighted<PartnerOrg>({ 'partner-saguaro-so': 55, 'partner-mesquite-so': 45 });
    const who = random.weighted<Who>({ newcomer: 55, citizen: 10, member: members.length > 0 ? 15 : 0, known: known.length > 0 ? 20 : 0 });
    const detainer: DetainerStatus = who === 'citizen' ? 'NONE' : random.weighted<DetainerStatus>({ NONE: 25, LODGED: 35, HONORED: 30, DECLINED: 10 });
    const status = transferStatus(random, detainer);
    const requestedAt = status === null ? null : isOpen(status) ? openRequestTime(random, now) : atMinute(now.getTime() - random.float(10 * DAY, 3 * YEAR));
    const bookedAt = atMinute(requestedAt === null ? now.getTime() - random.float(DAY, 3 * YEAR) : requestedAt.getTime() - random.float(24 * HOUR, 72 * HOUR));

    let person: PersonDraft;
    const candidate = who === 'member' ? random.pick(members) : who === 'known' ? random.pick(known) : null;
    // Someone already known is booked only after CBP or an investigation first met them.
    if (candidate !== null && candidate.firstSeen !== null && candidate.lastSeen !== null && candidate.lastSeen.getTime() + 10 * DAY < bookedAt.getTime()) {
      person = candidate;
    } else {
      person = builder.addPerson(random, { nationality: who === 'citizen' ? 'USA' : drawNationality(random), age: [18, 60], at: bookedAt });
    }

    const area = PARTNER_AREAS[partner];
    const transfer =
      status === null || requestedAt === null
        ? null
        : requestTransfer(builder, random, {
            person,
            owner: { org: partner, agency: 'PARTNER' },
            fromOrg: partner,
            fromFacility: area.jail,
            to: drawFacility(random, area.sector),
            requestedAt,
            status,
            reason: random.pick(TRANSFER_REASONS.detainer),
            medicalSummary: random.chance(0.06) ? random.pick(MEDICAL_SUMMARIES) : null,
            // The partner keeps sight of the transfers it started (rule 3).
            disseminate: [DHS, partner],
            origin: [area.county, area.sector],
          });
    const released = plus(bookedAt, random.float(DAY, 20 * DAY));
    const releasedAt = transfer !== null ? (transfer.cancelledAt ?? transfer.acceptedAt) : random.chance(0.75) && released < now ? released : null;
    recordBooking(builder, random, {
      person,
      partner,
      bookedAt,
      charges: charges(random, who === 'member'),
      detainerStatus: detainer,
      releasedAt,
      transfer,
    });
  }
}

function transferStatus(random: Random, detainer: DetainerStatus): TransferStatus | null {
  switch (detainer) {
    case 'HONORED':
      return random.chance(0.85) ? random.weighted<TransferStatus>({ COMPLETED: 70, IN_TRANSIT: 10, ACCEPTED: 10, CANCELLED: 10 }) : null;
    case 'LODGED':
      return random.chance(0.5) ? random.weighted<TransferStatus>({ REQUESTED: 70, CANCELLED: 30 }) : null;
    case 'NONE':
    case 'DECLINED':
      return null;
  }
}

function charges(random: Random, smuggler: boolean): string[] {
  const common = random.sample(CHARGES.common, random.int(1, 2));
  return smuggler ? [random.pick(CHARGES.smuggling), ...common.slice(0, 1)] : common;
}
