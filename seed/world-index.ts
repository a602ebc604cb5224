import type { Purpose } from '../lib/domain.js';
import type {
  BookingRow,
  ConsentRow,
  EncounterRow,
  NetworkMemberRow,
  PersonRow,
  ReferralRow,
  RouteNetworkRow,
  TransferRow,
  World,
} from './world.js';

/** Lookups over a generated world, for fixtures and tests (the generator keeps its own). */
export interface WorldIndex {
  readonly persons: ReadonlyMap<string, PersonRow>;
  readonly encountersByPerson: ReadonlyMap<string, readonly EncounterRow[]>;
  readonly bookingsByPerson: ReadonlyMap<string, readonly BookingRow[]>;
  readonly transfersByPerson: ReadonlyMap<string, readonly TransferRow[]>;
  readonly referralsByPerson: ReadonlyMap<string, readonly ReferralRow[]>;
  readonly consents: ReadonlyMap<string, ConsentRow>;
  readonly membersByNetwork: ReadonlyMap<string, readonly NetworkMemberRow[]>;
  readonly linksByRoute: ReadonlyMap<string, readonly RouteNetworkRow[]>;
}

function group<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const list = groups.get(key(row));
    if (list === undefined) groups.set(key(row), [row]);
    else list.push(row);
  }
  return groups;
}

export function indexWorld(world: World): WorldIndex {
  return {
    persons: new Map(world.ice.persons.map((person) => [person.id, person])),
    encountersByPerson: group(world.cbp.encounters, (row) => row.personId),
    bookingsByPerson: group(world.partner.bookings, (row) => row.personId),
    transfersByPerson: group(world.ice.transfers, (row) => row.personId),
    referralsByPerson: group(world.ngo.referrals, (row) => row.personId),
    consents: new Map(world.ngo.consents.map((consent) => [consent.referralId, consent])),
    membersByNetwork: group(world.ice.networkMembers, (row) => row.networkId),
    linksByRoute: group(world.cbp.routeNetworks, (row) => row.routeId),
  };
}

/** Granted, unexpired and unrevoked at `now` (the Consent.active of the NGO schema). */
export function isConsentActive(consent: ConsentRow, now: Date): boolean {
  return consent.grantedAt <= now && consent.revokedAt === null && (consent.expiresAt === null || consent.expiresAt > now);
}

/** Does the consent name this grantee (agency class or org id) for this purpose? Activity aside. */
export const consentGrants = (consent: ConsentRow, grantee: string, purpose: Purpose): boolean =>
  consent.grantees.includes(grantee) && consent.purposes.includes(purpose);
