import { describe, expect, it } from 'vitest';
import {
  TRANSFER_STATUSES,
  generateWorld,
  indexWorld,
  isConsentActive,
  pickFixtures,
  type ConsentRow,
  type NetworkRow,
  type ReferralRow,
  type World,
} from '../../seed/index.js';

/**
 * SPEC section 2: "the seed makes every policy rule of section 5 observable on both sides of
 * its condition". Each row names a rule, the fixture on the side that grants and the one on
 * the side that withholds, and the fact that tells them apart, checked here directly on the
 * rows (not through the predicates `pickFixtures` used to find them).
 */

const FIVE_YEARS = 5 * 365.25 * 86_400_000;

function facts(world: World) {
  const index = indexWorld(world);
  const { now } = world.meta;
  const byId = <T extends { readonly id: string }>(rows: readonly T[]) => {
    const map = new Map(rows.map((row) => [row.id, row]));
    return (id: string): T => {
      const row = map.get(id);
      if (row === undefined) throw new Error(`no row ${id}`);
      return row;
    };
  };
  const network = byId(world.ice.networks);
  const referral = byId(world.ngo.referrals);
  const consent = (id: string): ConsentRow => {
    const row = index.consents.get(id);
    if (row === undefined) throw new Error(`no consent for ${id}`);
    return row;
  };
  return {
    now,
    index,
    network,
    route: byId(world.cbp.routes),
    encounter: byId(world.cbp.encounters),
    transfer: byId(world.ice.transfers),
    booking: byId(world.partner.bookings),
    person: byId(world.ice.persons),
    referral,
    consent,
    stale: (id: string): boolean => now.getTime() - network(id).lastValidatedAt.getTime() > FIVE_YEARS,
    active: (id: string): boolean => isConsentActive(consent(id), now),
    grants: (id: string, grantee: string, purpose: string): boolean => consent(id).grantees.includes(grantee) && (consent(id).purposes as readonly string[]).includes(purpose),
    /** Does the person hold an active referral to legal aid whose consent notifies transfers? */
    notifiesLegalAid: (personId: string): boolean =>
      (index.referralsByPerson.get(personId) ?? []).some(
        (row: ReferralRow) => row.toOrg === 'ngo-frontera-legal' && consent(row.id).notifyTransfers && isConsentActive(consent(row.id), now),
      ),
  };
}

describe.each([1367, 1, 2, 3, 4, 5])('at small scale with seed %i', (seed) => {
  const world = generateWorld({ seed });
  const f = pickFixtures(world);
  const w = facts(world);
  const inSaguaro = (row: NetworkRow | { readonly jurisdictions: readonly string[] }): boolean =>
    row.jurisdictions.includes('TUCSON') || row.jurisdictions.includes('county:saguaro');

  it('finds every fixture, each a distinct record where the contrast needs two', () => {
    const pairs: readonly [string, string][] = [
      [f.staleNetworkId, f.currentNetworkDhsPartnerId],
      [f.networkNamingSaguaroId, f.currentNetworkDhsPartnerId],
      [f.referralConsentIceReleaseId, f.referralRevokedId],
      [f.referralConsentIceReleaseId, f.referralExpiredId],
      [f.referralConsentIceReleaseId, f.protectedReferralId],
      [f.transferWithNotifyConsentForLegalId, f.transferWithoutNotifyConsentId],
      [f.tucsonRouteId, f.cbpOnlyRouteId],
    ];
    for (const [one, other] of pairs) expect(one).not.toBe(other);
  });

  it('rule 1 (owner): the same org holds records inside and outside a TUCSON-only jurisdiction, some with medical summaries', () => {
    expect(w.encounter(f.encounterTucsonId).sector).toBe('TUCSON');
    expect(w.encounter(f.encounterSanDiegoId)).toMatchObject({ sector: 'SAN_DIEGO', ownerOrg: w.encounter(f.encounterTucsonId).ownerOrg });
    expect(w.encounter(f.encounterMedicalTucsonId).medicalSummary).not.toBeNull();
    expect(w.transfer(f.transferWithMedicalTucsonId).medicalSummary).not.toBeNull();
    expect(w.person(f.personWithEverythingId).name).toBeTruthy();
  });

  it('rule 2 (DHS components): records shared with DHS beside ones kept by the owner', () => {
    expect(w.network(f.currentNetworkDhsPartnerId).disseminate).toContain('DHS');
    expect(w.network(f.ownerOnlyNetworkId).disseminate).toEqual([]);
    expect(w.network(f.cbpNetworkId)).toMatchObject({ ownerAgency: 'CBP' });
    expect(w.network(f.cbpNetworkId).disseminate).toContain('DHS');
    expect(w.route(f.tucsonRouteId).disseminate).toContain('DHS');
    expect(w.route(f.cbpOnlyRouteId).disseminate).toEqual([]);
    expect(w.encounter(f.encounterTucsonId).disseminate).toContain('DHS');
    expect(w.encounter(f.encounterOwnerOnlyId).disseminate).toEqual([]);
    expect(w.transfer(f.transferIceInternalId)).toMatchObject({ ownerAgency: 'ICE', disseminate: ['DHS'] });
    expect(w.transfer(f.transferOwnerOnlyId)).toMatchObject({ ownerAgency: 'ICE', disseminate: [] });
    expect(w.transfer(f.transferFromCbpId)).toMatchObject({ ownerAgency: 'CBP', disseminate: ['DHS'] });
  });

  it('rule 3 (287(g) partners): in or out of their jurisdiction, shared or not, their org named or not', () => {
    const named = w.network(f.networkNamingSaguaroId);
    const unnamed = w.network(f.currentNetworkDhsPartnerId);
    expect(named.disseminate).toEqual(expect.arrayContaining(['PARTNER', 'partner-saguaro-so']));
    expect(unnamed.disseminate).toContain('PARTNER');
    expect(unnamed.disseminate).not.toContain('partner-saguaro-so');
    expect(inSaguaro(named) && inSaguaro(unnamed)).toBe(true);
    expect(w.index.membersByNetwork.get(named.id)?.map((member) => member.personId)).toContain(f.memberOfNetworkNamingSaguaroId);
    expect(w.network(f.currentNetworkDhsOnlyId).disseminate).not.toContain('PARTNER');
    expect(w.network(f.partnerNetworkOutsideSaguaroId).disseminate).toContain('PARTNER');
    expect(inSaguaro(w.network(f.partnerNetworkOutsideSaguaroId))).toBe(false);
    expect(w.network(f.networkNamingMesquiteId).disseminate).toContain('partner-mesquite-so');
    expect(inSaguaro(w.route(f.routeOutsideSaguaroId))).toBe(false);
    expect(w.route(f.routeOutsideSaguaroId).disseminate).toContain('PARTNER');
    expect(w.transfer(f.transferFromSaguaroBookingId)).toMatchObject({ ownerOrg: 'partner-saguaro-so', fromOrg: 'partner-saguaro-so' });
    expect(w.booking(f.bookingSaguaroWithTransferId).transferId).toBe(f.transferFromSaguaroBookingId);
    expect(w.transfer(f.transferFromMesquiteBookingId).ownerOrg).toBe('partner-mesquite-so');
    const saguaroOf = (personId: string): boolean =>
      [...(w.index.bookingsByPerson.get(personId) ?? []), ...(w.index.transfersByPerson.get(personId) ?? [])].some((row) => row.ownerOrg === 'partner-saguaro-so');
    expect(saguaroOf(f.personLinkedToSaguaroId)).toBe(true);
    expect(saguaroOf(f.personNotLinkedToSaguaroId)).toBe(false);
  });

  it('rule 4 (NGOs): hazards on routes shared with NGOs; transfer notification consented or not; clients and others', () => {
    for (const id of Object.values(f.routeIdBySector)) {
      expect(w.route(id).disseminate).toContain('NGO');
      expect(w.route(id).hazards.length).toBeGreaterThan(0);
      expect(w.route(id).surveillanceAssets.length).toBeGreaterThan(0);
    }
    expect(w.route(f.routeWithoutNgoId).disseminate).not.toContain('NGO');
    expect(w.index.linksByRoute.get(f.routeWithNetworksId)?.length).toBeGreaterThan(0);
    expect(w.notifiesLegalAid(w.transfer(f.transferWithNotifyConsentForLegalId).personId)).toBe(true);
    for (const id of [f.transferWithoutNotifyConsentId, f.transferWithRevokedNotifyConsentId, f.transferWithExpiredNotifyConsentId, f.transferWithoutReferralId]) {
      expect(w.notifiesLegalAid(w.transfer(id).personId), id).toBe(false);
    }
    expect(w.referral(f.ngoToNgoReferralId)).toMatchObject({ fromOrg: 'ngo-desert-refuge', toOrg: 'ngo-frontera-legal', ownerOrg: 'ngo-frontera-legal' });
    expect(w.referral(f.ngoToNgoReferralId).notes).not.toBeNull();
    expect(w.index.referralsByPerson.get(f.clientOfFronteraLegalId)?.some((row) => row.toOrg === 'ngo-frontera-legal')).toBe(true);
    expect(w.index.referralsByPerson.has(f.personWithoutReferralId)).toBe(false);
  });

  it('rule 5 (consent): granted for the purpose and active, or revoked, expired, for another purpose, to no one', () => {
    expect(w.grants(f.referralConsentIceReleaseId, 'ICE', 'RELEASE_COORDINATION') && w.active(f.referralConsentIceReleaseId)).toBe(true);
    expect(w.grants(f.referralConsentCbpReleaseId, 'CBP', 'RELEASE_COORDINATION') && w.active(f.referralConsentCbpReleaseId)).toBe(true);
    expect(w.grants(f.referralConsentOrgGranteeId, 'ice-ero-phoenix', 'RELEASE_COORDINATION') && w.active(f.referralConsentOrgGranteeId)).toBe(true);
    expect(w.consent(f.referralConsentOrgGranteeId).grantees).not.toContain('ICE');
    expect(w.consent(f.referralConsentWrongPurposeId).grantees).toContain('ICE');
    expect(w.grants(f.referralConsentWrongPurposeId, 'ICE', 'RELEASE_COORDINATION')).toBe(false);
    expect(w.consent(f.referralNoGrantId).grantees).toEqual([]);
    expect(w.grants(f.referralRevokedId, 'ICE', 'RELEASE_COORDINATION')).toBe(true);
    expect(w.consent(f.referralRevokedId).revokedAt).not.toBeNull();
    expect(w.active(f.referralRevokedId)).toBe(false);
    expect(w.grants(f.referralExpiredId, 'ICE', 'RELEASE_COORDINATION')).toBe(true);
    expect((w.consent(f.referralExpiredId).expiresAt?.getTime() ?? Infinity) <= w.now.getTime()).toBe(true);
    expect(w.active(f.referralExpiredId)).toBe(false);
    expect(w.referral(f.cbpToShelterReferralId)).toMatchObject({ fromOrg: 'cbp-tucson', toOrg: 'ngo-desert-refuge' });
  });

  it('rule 6 (protected persons): the same active grant to ICE, for a protected person and for another', () => {
    const protectedReferral = w.referral(f.protectedReferralId);
    expect(protectedReferral.toOrg).toBe('ngo-frontera-legal');
    expect(['TRAFFICKING_SUPPORT', 'LEGAL']).toContain(protectedReferral.service);
    expect(w.person(protectedReferral.personId).protected1367).toBe(true);
    expect(w.grants(f.protectedReferralId, 'ICE', 'RELEASE_COORDINATION') && w.active(f.protectedReferralId)).toBe(true);
    expect(w.person(w.referral(f.referralConsentIceReleaseId).personId).protected1367).toBe(false);
    const sentByCbp = w.referral(f.protectedReferralSentByCbpId);
    expect(sentByCbp.fromOrg).toMatch(/^cbp-/);
    expect(w.person(sentByCbp.personId).protected1367).toBe(true);
    expect(w.person(f.protectedPersonId).protected1367).toBe(true);
    expect(w.person(w.transfer(f.transferOfProtectedPersonId).personId).protected1367).toBe(true);
  });

  it('rule 7 (28 CFR 23): networks shared alike, validated more or less than five years ago', () => {
    expect(w.stale(f.staleNetworkId)).toBe(true);
    expect(w.stale(f.staleNetworkNamingSaguaroId)).toBe(true);
    expect(w.stale(f.staleCbpNetworkId)).toBe(true);
    expect(w.stale(f.currentNetworkDhsPartnerId)).toBe(false);
    expect(w.stale(f.networkNamingSaguaroId)).toBe(false);
    expect(w.network(f.staleNetworkId).disseminate).toEqual(expect.arrayContaining(['DHS', 'PARTNER']));
    expect(w.network(f.staleNetworkId).intelligenceBasis).not.toBeNull();
    expect(w.index.membersByNetwork.get(f.staleNetworkId)?.length).toBeGreaterThan(0);
  });

  it('rule 9 (writes): a transfer in every status, bookings and referrals of each holder', () => {
    for (const status of TRANSFER_STATUSES) expect(w.transfer(f.transferIdByStatus[status]).status).toBe(status);
    expect(w.booking(f.bookingSaguaroId).ownerOrg).toBe('partner-saguaro-so');
    expect(w.booking(f.bookingMesquiteId).ownerOrg).toBe('partner-mesquite-so');
    const everything = f.personWithEverythingId;
    for (const table of [w.index.encountersByPerson, w.index.bookingsByPerson, w.index.transfersByPerson, w.index.referralsByPerson]) {
      expect(table.get(everything)?.length).toBeGreaterThan(0);
    }
  });

  it('has providers with beds and without', () => {
    const beds = new Map(world.ngo.providers.map((provider) => [provider.id, provider.bedsAvailable]));
    expect(beds.get(f.providerWithBedsId)).toBeGreaterThan(0);
    expect(beds.get(f.providerWithoutBedsId)).toBe(0);
  });
});

describe('pickFixtures', () => {
  it('is stable for a given world, so tests can name records across runs', () => {
    expect(pickFixtures(generateWorld())).toEqual(pickFixtures(generateWorld()));
  });

  it('names the fixture it cannot find', () => {
    const world = generateWorld();
    const withoutProtected: World = { ...world, ice: { ...world.ice, persons: world.ice.persons.map((person) => ({ ...person, protected1367: false })) } };
    expect(() => pickFixtures(withoutProtected)).toThrow('Seed fixture "transferOfProtectedPersonId" not found');
  });
});
