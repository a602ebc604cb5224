import type { Sector } from '../../lib/domain.js';
import type { Random } from '../random.js';
import type { HazardKind, Modality, NetworkKind, ReferralService } from '../vocabulary.js';

/**
 * Free-text fields, assembled from short synthetic phrases. They read like the real thing so
 * a demo makes sense, and say nothing about any real person, place or case.
 */

const ROUTE_FEATURES = [
  'Coyote Wash', 'Black Mesa', 'Ocotillo Draw', 'Palo Blanco', 'Dry Tank', 'Javelina Ridge', 'Saltbush Flat',
  'Tinaja Canyon', 'Crooked Arroyo', 'Lone Mesquite', 'Caracara Bend', 'Agave Saddle', 'Greasewood Basin',
  'Burro Spring', 'Granite Notch', 'Horned Owl Pass',
];
const ROUTE_SUFFIX: Readonly<Record<Modality, string>> = {
  FOOT: 'Trail',
  VEHICLE: 'Corridor',
  MARITIME: 'Sea Lane',
  TUNNEL: 'Tunnel',
};

/** How a sector reads in prose. */
export const SECTOR_LABELS: Readonly<Record<Sector, string>> = {
  TUCSON: 'Tucson',
  RGV: 'Rio Grande Valley',
  EL_PASO: 'El Paso',
  SAN_DIEGO: 'San Diego',
};

export const routeName = (random: Random, modality: Modality): string => `${random.pick(ROUTE_FEATURES)} ${ROUTE_SUFFIX[modality]}`;

const NETWORK_ADJECTIVES = ['Red', 'Silver', 'Dust', 'Night', 'Iron', 'Blue', 'Copper', 'Hollow', 'Quiet', 'Broken'];
const NETWORK_NOUNS = ['Arroyo', 'Cholla', 'Heron', 'Lantern', 'Compass', 'Mesa', 'Falcon', 'Ridge', 'Canyon', 'Wolf'];
const NETWORK_KIND_WORD: Readonly<Record<NetworkKind, readonly string[]>> = {
  HUMAN_SMUGGLING: ['Network', 'Organization', 'Cell'],
  HUMAN_TRAFFICKING: ['Ring', 'Network'],
  DRUG_TRAFFICKING: ['Organization', 'Cell'],
  MIXED: ['Organization', 'Network'],
};

export const networkName = (random: Random, kind: NetworkKind): string =>
  `${random.pick(NETWORK_ADJECTIVES)} ${random.pick(NETWORK_NOUNS)} ${random.pick(NETWORK_KIND_WORD[kind])}`;

const BASES = [
  'Confidential source reporting corroborated by extractions of seized phones',
  'Debriefs of encountered migrants naming the same guides and stash houses',
  'License-plate reader hits on load vehicles and toll records',
  'Financial intelligence: structured money-service transfers to recurring recipients',
  'Undercover contact with a recruiter on a messaging app',
  'Pole-camera surveillance of a stash house, with consent searches',
];

export function intelligenceBasis(random: Random, office: string, year: number): string {
  return `${random.pick(BASES)} (case ${office}-${year}-${String(random.int(1, 9_999)).padStart(4, '0')}).`;
}

export function analyticSummary(random: Random, kind: NetworkKind, sectors: readonly Sector[]): string {
  const where = `the ${sectors.map((sector) => SECTOR_LABELS[sector]).join(' and ')} ${sectors.length > 1 ? 'sectors' : 'sector'}`;
  switch (kind) {
    case 'HUMAN_SMUGGLING':
      return `Moves an estimated ${random.int(20, 400)} people a month through ${where}; charges by nationality and uses rented stash houses.`;
    case 'HUMAN_TRAFFICKING':
      return `Recruits with false job offers and holds victims in debt bondage after crossing in ${where}.`;
    case 'DRUG_TRAFFICKING':
      return `Runs backpack and vehicle loads of narcotics through ${where}; pays guides per load.`;
    case 'MIXED':
      return `Sells crossings to migrants and uses the same guides for narcotics loads in ${where}.`;
  }
}

const HAZARD_TEXT: Readonly<Record<HazardKind, readonly string[]>> = {
  HEAT: ['Extreme heat: afternoon ground temperatures above 50 °C in summer', 'No shade for several kilometres'],
  WATER_STATION: ['Humanitarian water station (blue flag), refilled weekly', 'Water barrels placed by volunteers'],
  RESCUE_BEACON: ['Rescue beacon with push-button call for help', 'Solar rescue beacon with strobe light'],
  RESCUE: ['Rescue of a group in distress (dehydration)', 'Rescue of an injured person after a fall'],
  TERRAIN: ['Steep canyon with loose rock; fall injuries reported', 'Flash-flood wash; dangerous after storms'],
};

export const hazardDescription = (random: Random, kind: HazardKind): string => random.pick(HAZARD_TEXT[kind]);

export const MEDICAL_SUMMARIES = [
  'Dehydration; oral rehydration given; cleared for transport',
  'Heat exhaustion; IV fluids at station; stable',
  'Type 2 diabetes; needs insulin twice daily',
  'Pregnant, about 28 weeks; prenatal care advised',
  'Sprained ankle after a fall; splinted',
  'Asthma; carries an inhaler',
  'Blisters and foot injuries from walking; dressed',
  'Hypertension; medication supply for 10 days',
] as const;

export const TRANSFER_REASONS = {
  intake: ['Processing for removal proceedings', 'Expedited removal processing', 'Detention pending hearing'],
  detainer: ['Detainer honored at county release', 'Custody transfer under 287(g) detainer'],
  internal: ['Bed space rebalancing', 'Transfer to a facility with a medical unit', 'Transfer closer to immigration court', 'Staging for a removal flight'],
} as const;

export const CHARGES = {
  common: ['Driving without a license', 'DUI', 'Shoplifting', 'Trespass', 'Failure to appear', 'Assault', 'Possession of marijuana'],
  smuggling: ['Human smuggling (state)', 'Unlawful flight from law enforcement', 'Fraudulent documents'],
} as const;

const NOTES: Readonly<Record<ReferralService, readonly string[]>> = {
  SHELTER: ['Needs 3 nights before travel to sponsor', 'Family with toddler; needs crib', 'Arrives on evening transport from station'],
  MEDICAL: ['Follow-up for dehydration', 'Prenatal visit needed this week', 'Wound care; dressings changed daily'],
  LEGAL: ['Asylum screening; hearing notice received', 'Wants representation at master calendar hearing', 'Bond hearing request pending'],
  CHILD_WELFARE: ['Minor traveling alone; sponsor not yet verified', 'Sibling group; keep together'],
  TRAFFICKING_SUPPORT: ['Screen for T-visa eligibility', 'Safety planning; do not share location'],
  TRANSPORT: ['Bus ticket to sponsor city', 'Ride to immigration court'],
};

const CIRCUMSTANCES: Readonly<Record<ReferralService, readonly string[]>> = {
  SHELTER: ['Released with Notice to Appear; no money for travel', 'Sponsor reachable by phone only in the evening'],
  MEDICAL: ['Reports walking four days in the desert', 'Chronic condition untreated for months'],
  LEGAL: ['Fears return after threats at home', 'Prior removal order in absentia, did not receive notice'],
  CHILD_WELFARE: ['Parent in another country; aunt named as sponsor', 'Separated from adult cousin at crossing'],
  TRAFFICKING_SUPPORT: ['Disclosed forced labor at a ranch; fears the recruiters', 'Held for ransom in a stash house; threats to family'],
  TRANSPORT: ['No phone; needs written directions', 'Court date next week in another city'],
};

export const referralNotes = (random: Random, service: ReferralService): string => random.pick(NOTES[service]);
export const referralCircumstances = (random: Random, service: ReferralService): string => random.pick(CIRCUMSTANCES[service]);

const PROVIDER_NAMES: Readonly<Record<ReferralService, readonly string[]>> = {
  SHELTER: ['Casa Esperanza Shelter', 'Welcome House', 'Posada del Camino', 'Family Respite Center'],
  CHILD_WELFARE: ['Children’s Welcome Home'],
  TRANSPORT: ['Travel Assistance Desk'],
  LEGAL: ['Immigrant Legal Clinic', 'Detention Legal Project', 'Asylum Help Desk'],
  TRAFFICKING_SUPPORT: ['Survivor Services Program'],
  MEDICAL: ['Community Health Clinic', 'Mobile Medical Unit', 'Respite Care Clinic'],
};

export const providerName = (random: Random, service: ReferralService, sector: Sector): string =>
  `${random.pick(PROVIDER_NAMES[service])}, ${SECTOR_LABELS[sector]}`;
