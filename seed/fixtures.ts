import { SECTORS, type Sector } from '../lib/domain.js';
import { YEAR } from './clock.js';
import { DHS, NGO_CLASS, PARTNER_CLASS, TRANSFER_STATUSES, type TransferStatus } from './vocabulary.js';
import type { ConsentRow, NetworkRow, PersonRow, ReferralRow, RouteRow, TransferRow, World } from './world.js';
import { consentGrants, indexWorld, isConsentActive } from './world-index.js';

/**
 * Named records a policy test can rely on: for each rule of SPEC section 5, a record on each
 * side of its condition. They are found in the world by what they are, never by a fixed id, so
 * a change to the generator moves ids without breaking tests; a fixture that cannot be found
 * throws, naming it.
 */
export interface Fixtures {
  // ---- Networks (rules 1, 2, 3, 7). "In Saguaro" = jurisdictions include TUCSON or county:saguaro.
  /** ICE-owned, in Saguaro, shared with DHS and PARTNER, last validated more than five years ago. */
  readonly staleNetworkId: string;
  /** As the stale one but naming partner-saguaro-so: rule 7 overrides the named partner's member PII. */
  readonly staleNetworkNamingSaguaroId: string;
  /** CBP-owned, shared with DHS, stale: ICE may not read its INTEL. */
  readonly staleCbpNetworkId: string;
  /** ICE-owned, in Saguaro, shared with DHS and PARTNER (no org named), validated recently. */
  readonly currentNetworkDhsPartnerId: string;
  /** ICE-owned, in TUCSON, shared with DHS only, current. */
  readonly currentNetworkDhsOnlyId: string;
  /** ICE-owned, shared with no one, current. */
  readonly ownerOnlyNetworkId: string;
  /** CBP-owned, shared with DHS, current: ICE reads it under rule 2. */
  readonly cbpNetworkId: string;
  /** Current, in Saguaro, shared with PARTNER and naming partner-saguaro-so; has members. */
  readonly networkNamingSaguaroId: string;
  /** A member of `networkNamingSaguaroId`. */
  readonly memberOfNetworkNamingSaguaroId: string;
  /** Current, shared with PARTNER and naming partner-mesquite-so. */
  readonly networkNamingMesquiteId: string;
  /** Current, shared with PARTNER, but outside both partners' jurisdictions (neither TUCSON nor RGV nor their counties). */
  readonly partnerNetworkOutsideSaguaroId: string;

  // ---- Routes (rules 2, 3, 4): every one listed has hazards and surveillance assets.
  /** Per sector, a route shared with DHS, PARTNER and NGO. */
  readonly routeIdBySector: Readonly<Record<Sector, string>>;
  readonly tucsonRouteId: string;
  /** TUCSON, shared with no one beyond CBP. */
  readonly cbpOnlyRouteId: string;
  /** TUCSON, shared with DHS but not with NGOs. */
  readonly routeWithoutNgoId: string;
  /** Shared with PARTNER, outside both partners' jurisdictions. */
  readonly routeOutsideSaguaroId: string;
  /** Shared with NGOs and linked to networks (which NGOs must not see). */
  readonly routeWithNetworksId: string;

  // ---- Encounters (rules 1, 2, 4)
  readonly encounterTucsonId: string;
  readonly encounterRgvId: string;
  /** Owned by cbp-tucson but in SAN_DIEGO: outside a TUCSON-only agent's jurisdiction. */
  readonly encounterSanDiegoId: string;
  /** TUCSON, shared with no one beyond CBP. */
  readonly encounterOwnerOnlyId: string;
  /** TUCSON, with a medical summary. */
  readonly encounterMedicalTucsonId: string;
  readonly encounterUnaccompaniedMinorId: string;
  readonly encounterFamilyUnitId: string;

  // ---- Transfers (rules 1-4, 9)
  readonly transferIdByStatus: Readonly<Record<TransferStatus, string>>;
  /** Requested by cbp-tucson, in TUCSON, shared with DHS. */
  readonly transferFromCbpId: string;
  /** Requested by partner-saguaro-so after a booking's detainer. */
  readonly transferFromSaguaroBookingId: string;
  readonly transferFromMesquiteBookingId: string;
  /** An ICE move between its own facilities, shared with DHS. */
  readonly transferIceInternalId: string;
  /** An ICE move shared with no one beyond ICE. */
  readonly transferOwnerOnlyId: string;
  /** In TUCSON, with a medical summary. */
  readonly transferWithMedicalTucsonId: string;
  /** Its person holds an active referral to ngo-frontera-legal whose consent notifies transfers. */
  readonly transferWithNotifyConsentForLegalId: string;
  /** Its person holds active referrals to ngo-frontera-legal, none notifying transfers. */
  readonly transferWithoutNotifyConsentId: string;
  /** Its person's notifying consent to ngo-frontera-legal was revoked (no other notifies). */
  readonly transferWithRevokedNotifyConsentId: string;
  /** Its person's notifying consent to ngo-frontera-legal expired (no other notifies). */
  readonly transferWithExpiredNotifyConsentId: string;
  /** Its person has no referral at all. */
  readonly transferWithoutReferralId: string;
  readonly transferOfProtectedPersonId: string;

  // ---- Bookings (rules 1, 3, 4)
  readonly bookingSaguaroId: string;
  readonly bookingMesquiteId: string;
  /** The booking that led to `transferFromSaguaroBookingId`. */
  readonly bookingSaguaroWithTransferId: string;

  // ---- Persons (rules 3, 4, 6)
  /** Has encounters, bookings, transfers and referrals. */
  readonly personWithEverythingId: string;
  /** protected1367, with a referral to ngo-frontera-legal. */
  readonly protectedPersonId: string;
  /** Linked to partner-saguaro-so by a booking. */
  readonly personLinkedToSaguaroId: string;
  /** No booking or transfer of partner-saguaro-so, yet encountered in TUCSON. */
  readonly personNotLinkedToSaguaroId: string;
  /** Holds a referral to ngo-frontera-legal. */
  readonly clientOfFronteraLegalId: string;
  /** No referral at all. */
  readonly personWithoutReferralId: string;

  // ---- Referrals (rules 4, 5, 6)
  /** Consent grants ICE for RELEASE_COORDINATION, active; person not protected. */
  readonly referralConsentIceReleaseId: string;
  /** Consent grants CBP for RELEASE_COORDINATION, active; person not protected. */
  readonly referralConsentCbpReleaseId: string;
  /** Consent grants the org ice-ero-phoenix (not the agency) for RELEASE_COORDINATION, active. */
  readonly referralConsentOrgGranteeId: string;
  /** Consent grants ICE, active, but not for RELEASE_COORDINATION. */
  readonly referralConsentWrongPurposeId: string;
  /** Consent grants no one. */
  readonly referralNoGrantId: string;
  /** Consent granted ICE for RELEASE_COORDINATION, since revoked. */
  readonly referralRevokedId: string;
  /** Consent granted ICE for RELEASE_COORDINATION, since expired. */
  readonly referralExpiredId: string;
  /** ngo-frontera-legal's, for a protected1367 person, consent actively granting ICE. */
  readonly protectedReferralId: string;
  /** Sent by a CBP org for a protected1367 person, consent actively granting CBP. */
  readonly protectedReferralSentByCbpId: string;
  /** ngo-desert-refuge to ngo-frontera-legal (ngo-camino-health is neither party). */
  readonly ngoToNgoReferralId: string;
  /** From cbp-tucson to ngo-desert-refuge. */
  readonly cbpToShelterReferralId: string;

  // ---- Providers
  readonly providerWithBedsId: string;
  readonly providerWithoutBedsId: string;
}

const SAGUARO = 'partner-saguaro-so';
const LEGAL_AID = 'ngo-frontera-legal';

function required(name: string, id: string | undefined): string {
  if (id === undefined) throw new Error(`Seed fixture "${name}" not found in this world: the generator no longer produces one`);
  return id;
}

const find = <T extends { readonly id: string }>(name: string, rows: readonly T[], test: (row: T) => boolean): string => required(name, rows.find(test)?.id);

export function pickFixtures(world: World): Fixtures {
  const { now } = world.meta;
  const index = indexWorld(world);
  const { networks, persons, transfers } = world.ice;
  const { routes, encounters } = world.cbp;
  const { bookings } = world.partner;
  const { referrals, providers } = world.ngo;

  const stale = (network: NetworkRow): boolean => now.getTime() - network.lastValidatedAt.getTime() > 5 * YEAR;
  const inSaguaro = (row: { readonly jurisdictions: readonly string[] }): boolean =>
    row.jurisdictions.includes('TUCSON') || row.jurisdictions.includes('county:saguaro');
  const inMesquite = (row: { readonly jurisdictions: readonly string[] }): boolean =>
    row.jurisdictions.includes('RGV') || row.jurisdictions.includes('county:mesquite');
  const sharedWith = (row: { readonly disseminate: readonly string[] }, ...targets: readonly string[]): boolean =>
    targets.every((target) => row.disseminate.includes(target));
  const hasMembers = (network: NetworkRow): boolean => (index.membersByNetwork.get(network.id)?.length ?? 0) > 0;
  const isIce = (network: NetworkRow): boolean => network.ownerAgency === 'ICE';
  const equipped = (route: RouteRow): boolean => route.hazards.length > 0 && route.surveillanceAssets.length > 0;
  const person = (id: string): PersonRow | undefined => index.persons.get(id);
  const consentOf = (referral: ReferralRow): ConsentRow | undefined => index.consents.get(referral.id);
  const activeConsent = (referral: ReferralRow): boolean => {
    const consent = consentOf(referral);
    return consent !== undefined && isConsentActive(consent, now);
  };
  const unprotected = (referral: ReferralRow): boolean => person(referral.personId)?.protected1367 === false;
  // General-purpose fixtures avoid protected persons, so rule 6 never muddies another rule's test.
  const ordinary = (row: { readonly personId: string }): boolean => person(row.personId)?.protected1367 === false;
  const grants = (referral: ReferralRow, grantee: string, purpose: 'RELEASE_COORDINATION'): boolean => {
    const consent = consentOf(referral);
    return consent !== undefined && consentGrants(consent, grantee, purpose);
  };
  const legalReferrals = (personId: string): readonly ReferralRow[] =>
    (index.referralsByPerson.get(personId) ?? []).filter((referral) => referral.toOrg === LEGAL_AID);
  const notifies = (referral: ReferralRow): boolean => consentOf(referral)?.notifyTransfers === true;
  // Rule 4 counts only referrals still being worked (not CLOSED or DECLINED).
  const openCase = (referral: ReferralRow): boolean => ['OPEN', 'ACCEPTED', 'IN_PROGRESS'].includes(referral.status);
  const lapsed = (referral: ReferralRow, how: 'revoked' | 'expired'): boolean => {
    const consent = consentOf(referral);
    if (consent === undefined) return false;
    return how === 'revoked' ? consent.revokedAt !== null && consent.revokedAt <= now : consent.expiresAt !== null && consent.expiresAt <= now;
  };
  const noActiveNotify = (transfer: TransferRow): boolean => !legalReferrals(transfer.personId).some((referral) => notifies(referral) && activeConsent(referral));
  const transferOnlyLapsed = (how: 'revoked' | 'expired') => (transfer: TransferRow): boolean =>
    noActiveNotify(transfer) && legalReferrals(transfer.personId).some((referral) => notifies(referral) && lapsed(referral, how));
  const fromBooking = (transfer: TransferRow, partner: string): boolean =>
    transfer.ownerOrg === partner && bookings.some((booking) => booking.transferId === transfer.id);

  const routeIdBySector = Object.fromEntries(
    SECTORS.map((sector) => [sector, find(`routeIdBySector.${sector}`, routes, (route) => route.sector === sector && sharedWith(route, DHS, PARTNER_CLASS, NGO_CLASS) && equipped(route))]),
  ) as Record<Sector, string>;
  const transferIdByStatus = Object.fromEntries(
    TRANSFER_STATUSES.map((status) => [status, find(`transferIdByStatus.${status}`, transfers, (transfer) => transfer.status === status && ordinary(transfer))]),
  ) as Record<TransferStatus, string>;
  const networkNamingSaguaroId = find('networkNamingSaguaroId', networks, (n) => !stale(n) && inSaguaro(n) && sharedWith(n, PARTNER_CLASS, SAGUARO) && hasMembers(n));
  const transferFromSaguaroBookingId = find('transferFromSaguaroBookingId', transfers, (t) => fromBooking(t, SAGUARO));

  return {
    staleNetworkId: find('staleNetworkId', networks, (n) => isIce(n) && stale(n) && inSaguaro(n) && sharedWith(n, DHS, PARTNER_CLASS) && hasMembers(n)),
    staleNetworkNamingSaguaroId: find('staleNetworkNamingSaguaroId', networks, (n) => stale(n) && inSaguaro(n) && sharedWith(n, DHS, PARTNER_CLASS, SAGUARO)),
    staleCbpNetworkId: find('staleCbpNetworkId', networks, (n) => n.ownerAgency === 'CBP' && stale(n) && sharedWith(n, DHS)),
    currentNetworkDhsPartnerId: find(
      'currentNetworkDhsPartnerId',
      networks,
      (n) => isIce(n) && !stale(n) && inSaguaro(n) && n.disseminate.length === 2 && sharedWith(n, DHS, PARTNER_CLASS) && hasMembers(n),
    ),
    currentNetworkDhsOnlyId: find('currentNetworkDhsOnlyId', networks, (n) => isIce(n) && !stale(n) && n.jurisdictions.includes('TUCSON') && n.disseminate.length === 1 && sharedWith(n, DHS)),
    ownerOnlyNetworkId: find('ownerOnlyNetworkId', networks, (n) => isIce(n) && !stale(n) && n.disseminate.length === 0),
    cbpNetworkId: find('cbpNetworkId', networks, (n) => n.ownerAgency === 'CBP' && !stale(n) && sharedWith(n, DHS)),
    networkNamingSaguaroId,
    memberOfNetworkNamingSaguaroId: required('memberOfNetworkNamingSaguaroId', index.membersByNetwork.get(networkNamingSaguaroId)?.[0]?.personId),
    networkNamingMesquiteId: find('networkNamingMesquiteId', networks, (n) => !stale(n) && sharedWith(n, PARTNER_CLASS, 'partner-mesquite-so')),
    partnerNetworkOutsideSaguaroId: find('partnerNetworkOutsideSaguaroId', networks, (n) => !stale(n) && !inSaguaro(n) && !inMesquite(n) && sharedWith(n, PARTNER_CLASS)),

    routeIdBySector,
    tucsonRouteId: routeIdBySector.TUCSON,
    cbpOnlyRouteId: find('cbpOnlyRouteId', routes, (r) => r.sector === 'TUCSON' && r.disseminate.length === 0 && equipped(r)),
    routeWithoutNgoId: find('routeWithoutNgoId', routes, (r) => r.sector === 'TUCSON' && sharedWith(r, DHS) && !r.disseminate.includes(NGO_CLASS)),
    routeOutsideSaguaroId: find('routeOutsideSaguaroId', routes, (r) => !inSaguaro(r) && !inMesquite(r) && sharedWith(r, PARTNER_CLASS)),
    routeWithNetworksId: find('routeWithNetworksId', routes, (r) => sharedWith(r, NGO_CLASS) && (index.linksByRoute.get(r.id)?.length ?? 0) > 0),

    encounterTucsonId: find('encounterTucsonId', encounters, (e) => ordinary(e) && e.sector === 'TUCSON' && sharedWith(e, DHS)),
    encounterRgvId: find('encounterRgvId', encounters, (e) => ordinary(e) && e.sector === 'RGV' && sharedWith(e, DHS)),
    encounterSanDiegoId: find('encounterSanDiegoId', encounters, (e) => ordinary(e) && e.sector === 'SAN_DIEGO' && e.ownerOrg === 'cbp-tucson' && sharedWith(e, DHS)),
    encounterOwnerOnlyId: find('encounterOwnerOnlyId', encounters, (e) => ordinary(e) && e.sector === 'TUCSON' && e.disseminate.length === 0),
    encounterMedicalTucsonId: find('encounterMedicalTucsonId', encounters, (e) => ordinary(e) && e.sector === 'TUCSON' && e.medicalSummary !== null && sharedWith(e, DHS)),
    encounterUnaccompaniedMinorId: find('encounterUnaccompaniedMinorId', encounters, (e) => e.unaccompaniedMinor),
    encounterFamilyUnitId: find('encounterFamilyUnitId', encounters, (e) => e.familyUnit),

    transferIdByStatus,
    transferFromCbpId: find('transferFromCbpId', transfers, (t) => ordinary(t) && t.ownerOrg === 'cbp-tucson' && t.jurisdictions.includes('TUCSON') && sharedWith(t, DHS)),
    transferFromSaguaroBookingId,
    transferFromMesquiteBookingId: find('transferFromMesquiteBookingId', transfers, (t) => fromBooking(t, 'partner-mesquite-so')),
    transferIceInternalId: find('transferIceInternalId', transfers, (t) => ordinary(t) && t.ownerAgency === 'ICE' && sharedWith(t, DHS)),
    transferOwnerOnlyId: find('transferOwnerOnlyId', transfers, (t) => ordinary(t) && t.ownerAgency === 'ICE' && t.disseminate.length === 0),
    transferWithMedicalTucsonId: find('transferWithMedicalTucsonId', transfers, (t) => ordinary(t) && t.medicalSummary !== null && t.jurisdictions.includes('TUCSON')),
    transferWithNotifyConsentForLegalId: find(
      'transferWithNotifyConsentForLegalId',
      transfers,
      (t) => person(t.personId)?.protected1367 === false && legalReferrals(t.personId).some((r) => notifies(r) && activeConsent(r) && openCase(r)),
    ),
    transferWithoutNotifyConsentId: find(
      'transferWithoutNotifyConsentId',
      transfers,
      (t) => noActiveNotify(t) && legalReferrals(t.personId).some(activeConsent) && !legalReferrals(t.personId).some(notifies),
    ),
    transferWithRevokedNotifyConsentId: find('transferWithRevokedNotifyConsentId', transfers, transferOnlyLapsed('revoked')),
    transferWithExpiredNotifyConsentId: find('transferWithExpiredNotifyConsentId', transfers, transferOnlyLapsed('expired')),
    transferWithoutReferralId: find('transferWithoutReferralId', transfers, (t) => ordinary(t) && !index.referralsByPerson.has(t.personId)),
    transferOfProtectedPersonId: find('transferOfProtectedPersonId', transfers, (t) => person(t.personId)?.protected1367 === true),

    bookingSaguaroId: find('bookingSaguaroId', bookings, (b) => ordinary(b) && b.ownerOrg === SAGUARO),
    bookingMesquiteId: find('bookingMesquiteId', bookings, (b) => ordinary(b) && b.ownerOrg === 'partner-mesquite-so'),
    bookingSaguaroWithTransferId: find('bookingSaguaroWithTransferId', bookings, (b) => b.transferId === transferFromSaguaroBookingId),

    personWithEverythingId: find(
      'personWithEverythingId',
      persons,
      (p) => index.encountersByPerson.has(p.id) && index.bookingsByPerson.has(p.id) && index.transfersByPerson.has(p.id) && index.referralsByPerson.has(p.id),
    ),
    protectedPersonId: find('protectedPersonId', persons, (p) => p.protected1367 && legalReferrals(p.id).length > 0),
    personLinkedToSaguaroId: find('personLinkedToSaguaroId', persons, (p) => (index.bookingsByPerson.get(p.id) ?? []).some((b) => b.ownerOrg === SAGUARO)),
    personNotLinkedToSaguaroId: find(
      'personNotLinkedToSaguaroId',
      persons,
      (p) =>
        (index.encountersByPerson.get(p.id) ?? []).some((e) => e.sector === 'TUCSON') &&
        !(index.bookingsByPerson.get(p.id) ?? []).some((b) => b.ownerOrg === SAGUARO) &&
        !(index.transfersByPerson.get(p.id) ?? []).some((t) => t.ownerOrg === SAGUARO),
    ),
    clientOfFronteraLegalId: find('clientOfFronteraLegalId', persons, (p) => !p.protected1367 && legalReferrals(p.id).length > 0),
    personWithoutReferralId: find('personWithoutReferralId', persons, (p) => index.encountersByPerson.has(p.id) && !index.referralsByPerson.has(p.id)),

    referralConsentIceReleaseId: find('referralConsentIceReleaseId', referrals, (r) => unprotected(r) && grants(r, 'ICE', 'RELEASE_COORDINATION') && activeConsent(r)),
    referralConsentCbpReleaseId: find('referralConsentCbpReleaseId', referrals, (r) => unprotected(r) && grants(r, 'CBP', 'RELEASE_COORDINATION') && activeConsent(r)),
    referralConsentOrgGranteeId: find(
      'referralConsentOrgGranteeId',
      referrals,
      (r) => unprotected(r) && grants(r, 'ice-ero-phoenix', 'RELEASE_COORDINATION') && !consentOf(r)?.grantees.includes('ICE') && activeConsent(r),
    ),
    referralConsentWrongPurposeId: find(
      'referralConsentWrongPurposeId',
      referrals,
      (r) => unprotected(r) && consentOf(r)?.grantees.includes('ICE') === true && !grants(r, 'ICE', 'RELEASE_COORDINATION') && activeConsent(r),
    ),
    referralNoGrantId: find('referralNoGrantId', referrals, (r) => unprotected(r) && consentOf(r)?.grantees.length === 0),
    referralRevokedId: find('referralRevokedId', referrals, (r) => unprotected(r) && grants(r, 'ICE', 'RELEASE_COORDINATION') && lapsed(r, 'revoked')),
    referralExpiredId: find(
      'referralExpiredId',
      referrals,
      (r) => unprotected(r) && grants(r, 'ICE', 'RELEASE_COORDINATION') && lapsed(r, 'expired') && consentOf(r)?.revokedAt === null,
    ),
    protectedReferralId: find(
      'protectedReferralId',
      referrals,
      (r) => r.toOrg === LEGAL_AID && person(r.personId)?.protected1367 === true && grants(r, 'ICE', 'RELEASE_COORDINATION') && activeConsent(r),
    ),
    protectedReferralSentByCbpId: find(
      'protectedReferralSentByCbpId',
      referrals,
      (r) => r.fromOrg.startsWith('cbp-') && person(r.personId)?.protected1367 === true && grants(r, 'CBP', 'RELEASE_COORDINATION') && activeConsent(r),
    ),
    ngoToNgoReferralId: find('ngoToNgoReferralId', referrals, (r) => unprotected(r) && r.fromOrg === 'ngo-desert-refuge' && r.toOrg === LEGAL_AID),
    cbpToShelterReferralId: find('cbpToShelterReferralId', referrals, (r) => unprotected(r) && r.fromOrg === 'cbp-tucson' && r.toOrg === 'ngo-desert-refuge'),

    providerWithBedsId: find('providerWithBedsId', providers, (p) => p.bedsAvailable > 0),
    providerWithoutBedsId: find('providerWithoutBedsId', providers, (p) => p.bedsAvailable === 0),
  };
}
