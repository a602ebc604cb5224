import type { Sector } from '../lib/domain.js';
import type { ReferralService } from '../schema/generated/enums.js';

/**
 * The seed's vocabulary: the orgs of SPEC section 2 and the enumerations of the subgraph SDL.
 * The enumerations come from the types generated from `schema/*.graphql` (`npm run codegen`),
 * so the SDL is their one source; those below that the SDL types as plain strings (member
 * roles, hazard and asset kinds) are the seed's own.
 */

export { NetworkKindValues as NETWORK_KINDS, type NetworkKind } from '../schema/generated/enums.js';
export { ThreatLevelValues as THREAT_LEVELS, type ThreatLevel } from '../schema/generated/enums.js';
export { NetworkStatusValues as NETWORK_STATUSES, type NetworkStatus } from '../schema/generated/enums.js';
export { TransferStatusValues as TRANSFER_STATUSES, type TransferStatus } from '../schema/generated/enums.js';
export { ModalityValues as MODALITIES, type Modality } from '../schema/generated/enums.js';
export { ActivityLevelValues as ACTIVITY_LEVELS, type ActivityLevel } from '../schema/generated/enums.js';
export { EncounterDispositionValues as DISPOSITIONS, type EncounterDisposition as Disposition } from '../schema/generated/enums.js';
export { DetainerStatusValues as DETAINER_STATUSES, type DetainerStatus } from '../schema/generated/enums.js';
export { ReferralServiceValues as REFERRAL_SERVICES, type ReferralService } from '../schema/generated/enums.js';
export { ReferralStatusValues as REFERRAL_STATUSES, type ReferralStatus } from '../schema/generated/enums.js';

export const MEMBER_ROLES = [
  'LEADER',
  'COORDINATOR',
  'RECRUITER',
  'GUIDE',
  'DRIVER',
  'STASH_HOUSE_OPERATOR',
  'LOOKOUT',
  'FINANCIER',
] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];

export const HAZARD_KINDS = ['HEAT', 'WATER_STATION', 'RESCUE_BEACON', 'RESCUE', 'TERRAIN'] as const;
export type HazardKind = (typeof HAZARD_KINDS)[number];

export const ASSET_KINDS = ['TOWER', 'SENSOR', 'CAMERA', 'AEROSTAT'] as const;
export type AssetKind = (typeof ASSET_KINDS)[number];

// ---- Organizations (SPEC section 2). All fictional except the Border Patrol sector names.

export const CBP_ORGS = ['cbp-tucson', 'cbp-rgv'] as const;
export type CbpOrg = (typeof CBP_ORGS)[number];

export const ICE_ORGS = ['ice-ero-phoenix', 'ice-hsi-tucson'] as const;
export type IceOrg = (typeof ICE_ORGS)[number];

export const PARTNER_ORGS = ['partner-saguaro-so', 'partner-mesquite-so'] as const;
export type PartnerOrg = (typeof PARTNER_ORGS)[number];

export const NGO_ORGS = ['ngo-desert-refuge', 'ngo-frontera-legal', 'ngo-camino-health'] as const;
export type NgoOrg = (typeof NGO_ORGS)[number];

export const OVERSIGHT_ORG = 'oversight-privacy';

/** Custody is ICE ERO's; HSI investigates networks but holds no one. */
export const ICE_CUSTODY_ORG: IceOrg = 'ice-ero-phoenix';

/**
 * The seed has two CBP orgs (those SPEC section 2 names), so each also stands in for a
 * neighbouring sector: every sector then has routes and encounters, and an agent whose
 * jurisdiction is TUCSON alone still meets SAN_DIEGO records of its own org that rule 1 hides.
 */
export const CBP_ORG_BY_SECTOR: Readonly<Record<Sector, CbpOrg>> = {
  TUCSON: 'cbp-tucson',
  SAN_DIEGO: 'cbp-tucson',
  RGV: 'cbp-rgv',
  EL_PASO: 'cbp-rgv',
};

export interface PartnerArea {
  readonly county: string;
  readonly sector: Sector;
  readonly jail: string;
}

export const PARTNER_AREAS: Readonly<Record<PartnerOrg, PartnerArea>> = {
  'partner-saguaro-so': { county: 'county:saguaro', sector: 'TUCSON', jail: 'Saguaro County Jail' },
  'partner-mesquite-so': { county: 'county:mesquite', sector: 'RGV', jail: 'Mesquite County Detention Center' },
};

/** The county (and its 287(g) partner) lying inside a sector, where there is one. */
export const COUNTY_OF_SECTOR: Readonly<Partial<Record<Sector, PartnerOrg>>> = {
  TUCSON: 'partner-saguaro-so',
  RGV: 'partner-mesquite-so',
};

/** Sectors each NGO serves, first the main one; a referral elsewhere goes to the main one. */
export const NGO_SECTORS: Readonly<Record<NgoOrg, readonly Sector[]>> = {
  'ngo-desert-refuge': ['TUCSON', 'RGV', 'SAN_DIEGO'],
  'ngo-frontera-legal': ['TUCSON', 'RGV'],
  'ngo-camino-health': ['TUCSON', 'EL_PASO'],
};

export const NGO_SERVICES: Readonly<Record<NgoOrg, readonly ReferralService[]>> = {
  'ngo-desert-refuge': ['SHELTER', 'CHILD_WELFARE', 'TRANSPORT'],
  'ngo-frontera-legal': ['LEGAL', 'TRAFFICKING_SUPPORT'],
  'ngo-camino-health': ['MEDICAL'],
};

// ---- The `disseminate` vocabulary: agency classes or org ids beyond the owner.

/** CBP and ICE together (the DHS components of rule 2). */
export const DHS = 'DHS';
export const PARTNER_CLASS = 'PARTNER';
export const NGO_CLASS = 'NGO';
