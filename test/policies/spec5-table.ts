import type { Purpose } from '../../lib/domain.js';
import type { WriteAction } from '../../lib/access/decision.js';
import type { PersonaName } from './fixtures.js';

/**
 * SPEC 5, rule by rule, as rows: who reads which record for which purpose, and what they get
 * (syntax in expectation.ts; categories not named are withheld by deny-by-default). Records
 * and personas are in fixtures.ts; `Person.x@Network.y.members` is person x reached as a
 * member of network y.
 */
export type ReadRow = readonly [who: PersonaName, purpose: Purpose, record: string, expected: string];

const CONSENTED = 'service=consent.referral-grant status=consent.referral-grant provider=consent.referral-grant NGO_CONFIDENTIAL!consent.never-notes';

export const READS: readonly ReadRow[] = [
  // 1. Owner: their agency's records in their jurisdictions; PII with pii, INTEL with cfr28,
  //    MEDICAL with role medical or purpose CUSTODY_TRANSFER.
  ['iceAnalyst', 'INVESTIGATION', 'Network.iceShared', 'CORE=owner.read INTEL=owner.intel'],
  ['iceOfficer', 'INVESTIGATION', 'Network.iceShared', 'CORE=owner.read'],
  ['iceEroAnalyst', 'INVESTIGATION', 'Network.iceShared', 'CORE=owner.read INTEL=owner.intel'],
  ['cbpAgent', 'INTERDICTION', 'Route.shared', 'CORE=owner.read TACTICAL=owner.read HUMANITARIAN=owner.read'],
  ['cbpAnalyst', 'INVESTIGATION', 'Route.cbpOnly', 'CORE=owner.read TACTICAL=owner.read HUMANITARIAN=owner.read INTEL=owner.intel'],
  ['cbpRgvAgent', 'INTERDICTION', 'Route.shared', 'hidden'],
  ['cbpRgvAgent', 'INTERDICTION', 'Route.rgvShared', 'CORE=owner.read TACTICAL=owner.read HUMANITARIAN=owner.read'],
  // Encounters and bookings carry PII of their own since SPEC 5's "Writes never widen reads": the
  // identity the author supplied for someone it could not read (subject).
  ['cbpAgent', 'INTERDICTION', 'Encounter.dhs', 'CORE=owner.read PII=owner.pii'],
  ['cbpAgent', 'CUSTODY_TRANSFER', 'Encounter.cbpOnly', 'CORE=owner.read PII=owner.pii MEDICAL=owner.medical-custody'],
  ['cbpMedic', 'INTERDICTION', 'Encounter.dhs', 'CORE=owner.read MEDICAL=owner.medical-role'],
  ['cbpAgent', 'CUSTODY_TRANSFER', 'Transfer.fromCbp', 'CORE=owner.read MEDICAL=owner.medical-custody'],
  ['cbpAgent', 'INTERDICTION', 'Transfer.fromCbp', 'CORE=owner.read'],
  ['iceOfficer', 'INVESTIGATION', 'Person.linked', 'CORE=owner.read PII=owner.pii protected1367!protected1367.flag'],
  ['iceMedical', 'INVESTIGATION', 'Person.linked', 'CORE=owner.read protected1367!protected1367.flag'],
  ['iceOfficer', 'INVESTIGATION', 'Person.unlinked', 'hidden'],
  ['partnerSaguaro', 'INVESTIGATION', 'Booking.saguaro', 'CORE=owner.read PII=owner.pii'],
  ['partnerMesquite', 'INVESTIGATION', 'Booking.saguaro', 'hidden'],
  ['cbpAgent', 'INVESTIGATION', 'Booking.saguaro', 'hidden'],
  ['iceOfficer', 'INVESTIGATION', 'Booking.saguaro', 'hidden'],

  // 2. DHS components read each other's Network, Route, Encounter, Transfer disseminated to
  //    DHS: CORE; PII with pii; INTEL with cfr28 for INVESTIGATION/INTERDICTION; TACTICAL stays in CBP.
  ['cbpAgent', 'INTERDICTION', 'Network.iceShared', 'CORE=dhs.core'],
  ['cbpAnalyst', 'INTERDICTION', 'Network.iceShared', 'CORE=dhs.core INTEL=dhs.intel'],
  ['cbpAnalyst', 'CUSTODY_TRANSFER', 'Network.iceShared', 'CORE=dhs.core'],
  ['cbpAnalyst', 'INVESTIGATION', 'Network.iceDhsOnly', 'CORE=dhs.core INTEL=dhs.intel'],
  ['cbpAnalyst', 'INVESTIGATION', 'Network.iceOwnerOnly', 'hidden'],
  ['iceAnalyst', 'INVESTIGATION', 'Network.cbpShared', 'CORE=dhs.core INTEL=dhs.intel'],
  ['iceAnalyst', 'INTERDICTION', 'Route.shared', 'CORE=dhs.core INTEL=dhs.intel TACTICAL!dhs.tactical-cbp-only'],
  ['iceOfficer', 'INTERDICTION', 'Route.dhsOnly', 'CORE=dhs.core TACTICAL!dhs.tactical-cbp-only'],
  ['iceAnalyst', 'INVESTIGATION', 'Route.cbpOnly', 'hidden'],
  ['iceOfficer', 'INTERDICTION', 'Encounter.dhs', 'CORE=dhs.core'],
  ['iceMedical', 'CUSTODY_TRANSFER', 'Encounter.dhs', 'CORE=dhs.core'],
  ['iceOfficer', 'INTERDICTION', 'Encounter.cbpOnly', 'hidden'],
  ['iceAnalyst', 'CUSTODY_TRANSFER', 'Transfer.fromCbp', 'CORE=dhs.core'],
  ['iceOfficer', 'CUSTODY_TRANSFER', 'Transfer.fromCbp', 'CORE=dhs.transfer-receiving MEDICAL=dhs.transfer-receiving-medical'],
  ['iceOfficer', 'INVESTIGATION', 'Transfer.fromCbp', 'CORE=dhs.transfer-receiving'],
  ['iceMedical', 'CUSTODY_TRANSFER', 'Transfer.fromCbpPrivate', 'CORE=dhs.transfer-receiving MEDICAL=dhs.transfer-receiving-medical'],
  ['iceOfficer', 'CUSTODY_TRANSFER', 'Transfer.fromSaguaro', 'CORE=dhs.transfer-receiving MEDICAL=dhs.transfer-receiving-medical'],
  ['iceAnalyst', 'CUSTODY_TRANSFER', 'Transfer.fromSaguaro', 'hidden'],
  ['iceAnalyst', 'CUSTODY_TRANSFER', 'Transfer.fromCbpPrivate', 'hidden'],
  ['cbpAgent', 'INTERDICTION', 'Person.linked', 'CORE=dhs.person-linked PII=dhs.pii protected1367!protected1367.flag'],
  ['cbpRgvAgent', 'INTERDICTION', 'Person.protectedClient', 'CORE=dhs.person-linked protected1367!protected1367.flag'],
  ['cbpAgent', 'INTERDICTION', 'Person.unlinked', 'hidden'],

  // 3. 287(g) partners.
  ['partnerSaguaro', 'INVESTIGATION', 'Network.iceShared', 'CORE=partner.core members=partner.member-list'],
  ['partnerSaguaro', 'INTERDICTION', 'Network.iceShared', 'CORE=partner.core'],
  ['partnerSaguaro', 'INVESTIGATION', 'Network.cbpShared', 'CORE=partner.core'],
  ['partnerSaguaro', 'INVESTIGATION', 'Network.iceDhsOnly', 'hidden'],
  ['partnerSaguaro', 'INVESTIGATION', 'Network.icePartnersRgv', 'hidden'],
  ['partnerMesquite', 'INVESTIGATION', 'Network.icePartnersRgv', 'CORE=partner.core'],
  ['partnerSaguaro', 'INTERDICTION', 'Route.shared', 'CORE=partner.core TACTICAL!dhs.tactical-cbp-only'],
  ['partnerSaguaro', 'INTERDICTION', 'Route.dhsOnly', 'hidden'],
  ['partnerMesquite', 'INTERDICTION', 'Route.rgvShared', 'CORE=partner.core TACTICAL!dhs.tactical-cbp-only'],
  ['partnerSaguaro', 'INVESTIGATION', 'Person.unlinked@Network.iceShared.members', 'PII=partner.member-pii protected1367!protected1367.flag'],
  ['partnerSaguaro', 'INTERDICTION', 'Person.unlinked@Network.iceShared.members', 'hidden'],
  ['partnerSaguaro', 'INVESTIGATION', 'Person.unlinked@Network.cbpShared.members', 'hidden'],
  ['partnerSaguaro', 'INVESTIGATION', 'Person.unlinked@Network.iceStale.members', 'hidden'],
  ['partnerSaguaro', 'INVESTIGATION', 'Person.unlinked', 'hidden'],
  ['partnerSaguaro', 'CUSTODY_TRANSFER', 'Transfer.fromSaguaro', 'CORE=partner.transfer-own MEDICAL=owner.medical-custody'],
  ['partnerMesquite', 'CUSTODY_TRANSFER', 'Transfer.fromSaguaro', 'hidden'],
  ['partnerSaguaro', 'CUSTODY_TRANSFER', 'Transfer.fromCbp', 'hidden'],
  ['partnerSaguaro', 'INVESTIGATION', 'Person.linked', 'CORE=partner.person-linked PII=partner.person-pii protected1367!protected1367.flag'],
  ['partnerMesquite', 'INVESTIGATION', 'Person.linked', 'hidden'],
  ['partnerSaguaro', 'INVESTIGATION', 'Encounter.dhs', 'hidden'],

  // 4. NGOs.
  ['ngoShelter', 'HUMANITARIAN', 'Network.iceShared', 'hidden!ngo.never-enforcement-records'],
  ['ngoShelter', 'HUMANITARIAN', 'Encounter.dhs', 'hidden!ngo.never-enforcement-records'],
  ['ngoShelter', 'HUMANITARIAN', 'Booking.saguaro', 'hidden!ngo.never-enforcement-records'],
  [
    'ngoShelter',
    'HUMANITARIAN',
    'Route.shared',
    'CORE=ngo.route-humanitarian HUMANITARIAN=ngo.route-humanitarian TACTICAL!ngo.never-intel-tactical INTEL!ngo.never-intel-tactical',
  ],
  ['ngoShelter', 'HUMANITARIAN', 'Route.dhsOnly', 'hidden'],
  ['ngoLegal', 'LEGAL_SERVICES', 'Transfer.fromSaguaro', 'toFacility=ngo.transfer-legal status=ngo.transfer-legal completedAt=ngo.transfer-legal'],
  ['ngoLegal', 'HUMANITARIAN', 'Transfer.fromSaguaro', 'hidden'],
  ['ngoShelter', 'LEGAL_SERVICES', 'Transfer.fromSaguaro', 'hidden'],
  ['ngoLegal', 'LEGAL_SERVICES', 'Transfer.fromCbp', 'hidden'],
  ['ngoShelter', 'HUMANITARIAN', 'Referral.consented', 'CORE=owner.read NGO_CONFIDENTIAL=ngo.referral-confidential'],
  ['ngoShelter', 'HUMANITARIAN', 'Referral.ngoToNgo', 'CORE=ngo.referral-parties'],
  ['ngoMedical', 'HUMANITARIAN', 'Referral.ngoToNgo', 'CORE=owner.read NGO_CONFIDENTIAL=ngo.referral-confidential'],
  ['ngoLegal', 'LEGAL_SERVICES', 'Referral.consented', 'hidden'],
  ['ngoShelter', 'HUMANITARIAN', 'Person.linked', 'CORE=ngo.person-client PII=ngo.person-pii'],
  ['ngoMedical', 'HUMANITARIAN', 'Person.linked', 'CORE=ngo.person-client'],
  ['ngoLegal', 'LEGAL_SERVICES', 'Person.protectedClient', 'CORE=ngo.person-client PII=ngo.person-pii'],
  ['ngoShelter', 'HUMANITARIAN', 'Person.unlinked', 'hidden'],
  ['ngoShelter', 'HUMANITARIAN', 'Person.unlinked@Network.iceShared.members', 'hidden'],
  ['ngoLegal', 'LEGAL_SERVICES', 'Provider.refuge', 'CORE=ngo.provider-directory HUMANITARIAN=ngo.provider-directory'],
  ['ngoShelter', 'HUMANITARIAN', 'Provider.refuge', 'CORE=owner.read HUMANITARIAN=owner.read'],
  ['cbpAgent', 'RELEASE_COORDINATION', 'Provider.refuge', 'CORE=ngo.provider-directory HUMANITARIAN=ngo.provider-directory'],
  ['cbpAgent', 'RELEASE_COORDINATION', 'Provider.legalPrivate', 'hidden'],
  ['ngoShelter', 'HUMANITARIAN', 'Provider.legalPrivate', 'hidden'],

  // 5. Consent: service, status and provider only, for a grantee, purpose, unexpired, unrevoked.
  ['cbpAgent', 'RELEASE_COORDINATION', 'Referral.consented', CONSENTED],
  ['cbpAgent', 'RELEASE_COORDINATION', 'Referral.consentFuture', CONSENTED],
  ['cbpAgent', 'RELEASE_COORDINATION', 'Referral.revoked', 'hidden'],
  ['cbpAgent', 'RELEASE_COORDINATION', 'Referral.expired', 'hidden'],
  ['cbpAgent', 'INVESTIGATION', 'Referral.consented', 'hidden'],
  ['cbpAgent', 'RELEASE_COORDINATION', 'Referral.otherPurpose', 'hidden'],
  ['cbpAgent', 'RELEASE_COORDINATION', 'Referral.otherGrantee', 'hidden'],
  ['iceOfficer', 'RELEASE_COORDINATION', 'Referral.otherGrantee', CONSENTED],
  ['iceOfficer', 'CUSTODY_TRANSFER', 'Referral.orgGrantee', CONSENTED],
  ['iceAnalyst', 'CUSTODY_TRANSFER', 'Referral.orgGrantee', 'hidden'],
  ['cbpAgent', 'RELEASE_COORDINATION', 'Referral.noConsent', 'hidden'],
  ['partnerSaguaro', 'RELEASE_COORDINATION', 'Referral.consented', 'hidden'],

  // 6. 8 U.S.C. 1367: overrides every grant for CBP, ICE and partners.
  ['cbpAgent', 'RELEASE_COORDINATION', 'Referral.protected', 'hidden!protected1367.override'],
  ['iceOfficer', 'LEGAL_SERVICES', 'Referral.protected', 'hidden!protected1367.override'],
  ['partnerSaguaro', 'INVESTIGATION', 'Referral.protected', 'hidden!protected1367.override'],
  ['ngoLegal', 'LEGAL_SERVICES', 'Referral.protected', 'CORE=owner.read NGO_CONFIDENTIAL=ngo.referral-confidential'],
  ['ngoShelter', 'HUMANITARIAN', 'Referral.protected', 'CORE=ngo.referral-parties'],
  ['iceOfficer', 'INVESTIGATION', 'Person.protectedClient', 'CORE=owner.read PII=owner.pii protected1367!protected1367.flag'],

  // 7. 28 CFR 23: stale intelligence goes to the owner org only, and is flagged.
  ['iceAnalyst', 'INVESTIGATION', 'Network.iceStale', 'CORE=owner.read INTEL=owner.intel notice=cfr28.flag'],
  ['iceEroAnalyst', 'INVESTIGATION', 'Network.iceStale', 'CORE=owner.read INTEL!cfr28.review notice=cfr28.flag'],
  ['cbpAnalyst', 'INVESTIGATION', 'Network.iceStale', 'CORE=dhs.core INTEL!cfr28.review notice=cfr28.flag'],
  ['partnerSaguaro', 'INVESTIGATION', 'Network.iceStale', 'CORE=partner.core INTEL!cfr28.review notice=cfr28.flag'],

  // 8. Oversight: CORE only, of any record.
  ['auditor', 'OVERSIGHT_AUDIT', 'Network.iceShared', 'CORE=oversight.core'],
  ['auditor', 'OVERSIGHT_AUDIT', 'Network.iceStale', 'CORE=oversight.core INTEL!cfr28.review notice=cfr28.flag'],
  ['auditor', 'OVERSIGHT_AUDIT', 'Route.cbpOnly', 'CORE=oversight.core TACTICAL!dhs.tactical-cbp-only'],
  ['auditor', 'OVERSIGHT_AUDIT', 'Encounter.cbpOnly', 'CORE=oversight.core'],
  ['auditor', 'OVERSIGHT_AUDIT', 'Transfer.fromSaguaro', 'CORE=oversight.core'],
  ['auditor', 'OVERSIGHT_AUDIT', 'Booking.saguaro', 'CORE=oversight.core'],
  ['auditor', 'OVERSIGHT_AUDIT', 'Person.protectedClient', 'CORE=oversight.core'],
  ['auditor', 'OVERSIGHT_AUDIT', 'Referral.protected', 'CORE=oversight.core'],
  ['auditor', 'OVERSIGHT_AUDIT', 'Provider.legalPrivate', 'CORE=oversight.core'],
];

/**
 * 9. Writes: `record` as in READS, or `record~` for the same record as if the caller's own org
 * owned it (a record being created). Expected: the allowing rule, or `!rule` for a refusal.
 */
export type WriteRow = readonly [who: PersonaName, action: WriteAction, record: string, expected: string];

export const WRITES: readonly WriteRow[] = [
  ['cbpAgent', 'create', 'Encounter.dhs', 'writes.owner-cbp'],
  ['ngoShelter', 'create', 'Encounter.dhs~', '!deny-by-default'],
  ['partnerSaguaro', 'create', 'Encounter.dhs~', '!deny-by-default'],
  ['cbpAgent', 'update', 'Route.shared', 'writes.owner-cbp'],
  ['cbpRgvAgent', 'update', 'Route.shared', '!deny-by-default'],
  ['cbpAgent', 'linkRouteToNetwork', 'Route.shared', 'writes.owner-cbp'],
  ['iceOfficer', 'linkRouteToNetwork', 'Route.shared', '!deny-by-default'],
  ['partnerSaguaro', 'create', 'Booking.saguaro', 'writes.owner-booking'],
  ['cbpAgent', 'create', 'Booking.saguaro~', '!deny-by-default'],
  ['partnerMesquite', 'update', 'Booking.saguaro', '!deny-by-default'],
  ['iceAnalyst', 'update', 'Network.iceShared', 'writes.owner-network'],
  ['iceOfficer', 'update', 'Network.iceShared', '!deny-by-default'],
  ['cbpAnalyst', 'create', 'Network.cbpShared', 'writes.owner-network'],
  ['partnerSaguaro', 'create', 'Network.cbpShared~', '!deny-by-default'],
  ['iceOfficer', 'update', 'Person.linked', 'writes.owner-person'],
  ['cbpAgent', 'update', 'Person.linked', '!deny-by-default'],
  ['ngoShelter', 'update', 'Provider.refuge', 'writes.owner-provider'],
  ['ngoLegal', 'update', 'Provider.refuge', '!deny-by-default'],
  ['cbpAgent', 'requestTransfer', 'Transfer.fromCbp', 'writes.request-transfer'],
  ['partnerSaguaro', 'requestTransfer', 'Transfer.fromSaguaro', 'writes.request-transfer'],
  ['partnerMesquite', 'requestTransfer', 'Transfer.fromSaguaro', '!deny-by-default'],
  ['iceOfficer', 'requestTransfer', 'Transfer.fromCbp~', '!deny-by-default'],
  ['iceOfficer', 'acceptTransfer', 'Transfer.fromSaguaro', 'writes.ice-custody'],
  ['iceOfficer', 'startTransfer', 'Transfer.fromCbp', 'writes.ice-custody'],
  ['iceOfficer', 'completeTransfer', 'Transfer.fromCbp', 'writes.ice-custody'],
  ['iceAnalyst', 'acceptTransfer', 'Transfer.fromCbp', '!deny-by-default'],
  ['cbpAgent', 'completeTransfer', 'Transfer.fromCbp', '!deny-by-default'],
  ['cbpAgent', 'cancelTransfer', 'Transfer.fromCbp', 'writes.cancel-transfer'],
  ['iceOfficer', 'cancelTransfer', 'Transfer.fromSaguaro', 'writes.cancel-transfer'],
  ['partnerMesquite', 'cancelTransfer', 'Transfer.fromSaguaro', '!deny-by-default'],
  ['cbpAgent', 'createReferral', 'Referral.consented', 'writes.create-referral'],
  ['ngoShelter', 'createReferral', 'Referral.ngoToNgo', 'writes.create-referral'],
  ['iceOfficer', 'createReferral', 'Referral.consented', '!deny-by-default'],
  ['ngoShelter', 'create', 'Referral.consented', '!deny-by-default'],
  ['ngoShelter', 'updateReferral', 'Referral.consented', 'writes.referral-holder'],
  ['ngoShelter', 'grantConsent', 'Referral.consented', 'writes.referral-holder'],
  ['ngoShelter', 'revokeConsent', 'Referral.consented', 'writes.referral-holder'],
  ['ngoMedical', 'grantConsent', 'Referral.consented', '!deny-by-default'],
  ['cbpAgent', 'updateReferral', 'Referral.consented', '!deny-by-default'],
  ['ngoShelter', 'updateReferral', 'Referral.ngoToNgo', '!deny-by-default'],
  ['auditor', 'update', 'Network.iceShared', '!deny-by-default'],
];

/** 8. The access log: auditors, for an oversight audit. */
export type AuditLogRow = readonly [who: PersonaName, purpose: Purpose, expected: string];

export const AUDIT_LOG_READS: readonly AuditLogRow[] = [
  ['auditor', 'OVERSIGHT_AUDIT', 'oversight.audit-log'],
  ['cbpAnalyst', 'OVERSIGHT_AUDIT', '!deny-by-default'],
  ['ngoLegal', 'OVERSIGHT_AUDIT', '!deny-by-default'],
  // The auditor's token holds OVERSIGHT_AUDIT only.
  ['auditor', 'INVESTIGATION', '!deny-by-default'],
];
