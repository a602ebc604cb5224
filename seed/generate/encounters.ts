import { SECTORS, type Sector } from '../../lib/domain.js';
import { DAY, HOUR, YEAR, atMinute } from '../clock.js';
import type { Random } from '../random.js';
import { CBP_ORG_BY_SECTOR, DHS, type Disposition, type TransferStatus } from '../vocabulary.js';
import type { RouteRow } from '../world.js';
import type { PersonDraft, WorldBuilder } from './builder.js';
import { drawNationality, type Nationality } from './names.js';
import { SECTOR_AREAS, drawFacility } from './places.js';
import { isOpen, openRequestTime, recordEncounter, requestTransfer } from './records.js';
import { MEDICAL_SUMMARIES, TRANSFER_REASONS } from './texts.js';

/**
 * Border Patrol encounters of the random population: single adults, family units crossing
 * together, unaccompanied children, people caught again after removal, and now and then a
 * network's guide. Those handed to ICE get a transfer request owned by the CBP org.
 */

type Group = 'single' | 'family' | 'minor' | 'again' | 'member';

interface Returnee {
  readonly person: PersonDraft;
  readonly lastSeen: Date;
}

export function generateEncounters(builder: WorldBuilder, random: Random): void {
  const { now, counts } = builder;
  // Busy routes see more crossings.
  const routePool = builder.routes.flatMap((route) => Array<RouteRow>({ LOW: 1, MODERATE: 2, HIGH: 3 }[route.activityLevel]).fill(route));
  const members = [...new Set(builder.networkMembers.map((member) => member.personId))]
    .map((id) => builder.person(id))
    .filter((person) => !person.anchored);
  const returnees: Returnee[] = [];

  while (builder.encounters.length < counts.encounters) {
    const route = random.chance(0.9) ? random.pick(routePool) : null;
    const sector: Sector = route?.sector ?? random.pick(SECTORS);
    const group = random.weighted<Group>({ single: 62, family: 22, minor: 8, again: returnees.length > 0 ? 5 : 0, member: members.length > 0 ? 3 : 0 });
    const disposition = drawDisposition(random, group);
    const status = disposition === 'TRANSFERRED_TO_ICE' ? random.weighted<TransferStatus>({ COMPLETED: 55, CANCELLED: 8, REQUESTED: 15, ACCEPTED: 10, IN_TRANSIT: 12 }) : null;
    // Open transfers are days old, so their encounters are too; the rest spread over three years.
    const occurredAt =
      status !== null && isOpen(status)
        ? atMinute(openRequestTime(random, now).getTime() - random.float(2 * HOUR, 10 * HOUR))
        : atMinute(now.getTime() - random.float(status === null ? DAY : 7 * DAY, 3 * YEAR));

    const room = counts.encounters - builder.encounters.length;
    let people: PersonDraft[];
    switch (group) {
      case 'family':
        people = family(builder, random, occurredAt, room);
        break;
      case 'minor':
        people = [builder.addPerson(random, { nationality: drawNationality(random), age: [8, 17], at: occurredAt })];
        break;
      case 'again': {
        const returnee = random.pick(returnees);
        const earliestReturn = returnee.lastSeen.getTime() + 30 * DAY;
        // Caught again only if there is time for it before the world's "now".
        if (earliestReturn < occurredAt.getTime()) people = [returnee.person];
        else people = [adult(builder, random, occurredAt)];
        break;
      }
      case 'member': {
        const member = random.pick(members);
        people = member.firstSeen !== null && member.firstSeen < occurredAt ? [member] : [adult(builder, random, occurredAt)];
        break;
      }
      case 'single':
        people = [adult(builder, random, occurredAt)];
        break;
    }
    const station = random.pick(SECTOR_AREAS[sector].stations);
    const disseminate = random.chance(0.92) ? [DHS] : [];

    for (const person of people) {
      const medicalSummary = random.chance(0.1) ? random.pick(MEDICAL_SUMMARIES) : null;
      const encounter = recordEncounter(builder, random, {
        person,
        sector,
        route,
        occurredAt,
        disposition,
        unaccompaniedMinor: group === 'minor',
        familyUnit: group === 'family',
        medicalSummary,
        station,
        disseminate,
      });
      if (disposition === 'REMOVED' || disposition === 'VOLUNTARY_RETURN') returnees.push({ person, lastSeen: occurredAt });
      if (status === null) continue;
      requestTransfer(builder, random, {
        person,
        owner: { org: CBP_ORG_BY_SECTOR[sector], agency: 'CBP' },
        fromOrg: CBP_ORG_BY_SECTOR[sector],
        fromFacility: station,
        to: drawFacility(random, sector),
        requestedAt: atMinute(occurredAt.getTime() + random.float(2 * HOUR, 10 * HOUR)),
        status,
        reason: random.pick(TRANSFER_REASONS.intake),
        medicalSummary: medicalSummary ?? (random.chance(0.05) ? random.pick(MEDICAL_SUMMARIES) : null),
        disseminate: [DHS],
        origin: encounter.jurisdictions,
      });
    }
  }
}

function drawDisposition(random: Random, group: Group): Disposition {
  switch (group) {
    case 'single':
      return random.weighted<Disposition>({ TRANSFERRED_TO_ICE: 45, REMOVED: 20, VOLUNTARY_RETURN: 10, PROSECUTION: 10, RELEASED: 15 });
    case 'family':
      return random.weighted<Disposition>({ RELEASED: 60, TRANSFERRED_TO_ICE: 40 });
    case 'minor':
      // Unaccompanied children go to HHS and then a sponsor; for CBP's record they are released.
      return 'RELEASED';
    case 'again':
      return random.weighted<Disposition>({ TRANSFERRED_TO_ICE: 50, PROSECUTION: 30, REMOVED: 20 });
    case 'member':
      return random.weighted<Disposition>({ PROSECUTION: 60, TRANSFERRED_TO_ICE: 40 });
  }
}

/** About 3% of adults are later recognized as victims protected by 8 U.S.C. 1367. */
function adult(builder: WorldBuilder, random: Random, at: Date, nationality: Nationality = drawNationality(random)): PersonDraft {
  return builder.addPerson(random, { nationality, age: [18, 55], at, protected1367: random.chance(0.03) });
}

/** One or two parents and one to three children, of one nationality (fewer if `room` is short). */
function family(builder: WorldBuilder, random: Random, at: Date, room: number): PersonDraft[] {
  const nationality = drawNationality(random);
  const parentCount = Math.min(random.chance(0.4) ? 2 : 1, room);
  const childCount = Math.min(random.int(1, 3), room - parentCount);
  const parents = Array.from({ length: parentCount }, () => adult(builder, random, at, nationality));
  const children = Array.from({ length: childCount }, () => builder.addPerson(random, { nationality, age: [0, 16], at }));
  return [...parents, ...children];
}
