import { SECTORS } from '../domain.js';
import type { SubjectClaims } from './subject-claims.js';

/**
 * The development personas the README, the seed data and the tests refer to: one per kind of user
 * of SPEC section 2, with attributes chosen so that every policy rule can be seen both granting
 * and refusing. Plain data; `npm run token -- --persona <name>` signs one with the dev issuer.
 * All identities are synthetic.
 */
export const PERSONA_NAMES = [
  'cbp-agent',
  'cbp-analyst',
  'cbp-rgv-agent',
  'ice-officer',
  'ice-analyst',
  'ice-medical',
  'partner-saguaro',
  'partner-mesquite',
  'ngo-shelter',
  'ngo-legal',
  'ngo-medical',
  'auditor',
] as const;
export type PersonaName = (typeof PERSONA_NAMES)[number];

export const isPersonaName = (value: unknown): value is PersonaName =>
  typeof value === 'string' && (PERSONA_NAMES as readonly string[]).includes(value);

const NO_FLAGS = { pii: false, cfr28: false, sworn: false } as const;

export const PERSONAS: Readonly<Record<PersonaName, SubjectClaims>> = {
  'cbp-agent': {
    ...NO_FLAGS,
    sub: 'cbp-agent@cbp-tucson',
    agency: 'CBP',
    org: 'cbp-tucson',
    roles: ['agent'],
    jurisdictions: ['TUCSON'],
    purposes: ['INTERDICTION', 'CUSTODY_TRANSFER', 'RELEASE_COORDINATION'],
    pii: true,
    sworn: true,
  },
  'cbp-analyst': {
    sub: 'cbp-analyst@cbp-tucson',
    agency: 'CBP',
    org: 'cbp-tucson',
    roles: ['analyst'],
    jurisdictions: ['TUCSON', 'RGV'],
    purposes: ['INVESTIGATION', 'INTERDICTION', 'CUSTODY_TRANSFER', 'RELEASE_COORDINATION'],
    pii: true,
    cfr28: true,
    sworn: true,
  },
  // Same role as cbp-agent in another sector: shows jurisdiction limits.
  'cbp-rgv-agent': {
    ...NO_FLAGS,
    sub: 'cbp-rgv-agent@cbp-rgv',
    agency: 'CBP',
    org: 'cbp-rgv',
    roles: ['agent'],
    jurisdictions: ['RGV'],
    purposes: ['INTERDICTION', 'CUSTODY_TRANSFER', 'RELEASE_COORDINATION'],
    pii: true,
    sworn: true,
  },
  'ice-officer': {
    ...NO_FLAGS,
    sub: 'ice-officer@ice-ero-phoenix',
    agency: 'ICE',
    org: 'ice-ero-phoenix',
    roles: ['officer'],
    jurisdictions: ['TUCSON', 'county:saguaro'],
    purposes: ['CUSTODY_TRANSFER', 'INVESTIGATION', 'RELEASE_COORDINATION'],
    pii: true,
    sworn: true,
  },
  'ice-analyst': {
    sub: 'ice-analyst@ice-hsi-tucson',
    agency: 'ICE',
    org: 'ice-hsi-tucson',
    roles: ['analyst'],
    jurisdictions: ['TUCSON', 'RGV', 'EL_PASO', 'SAN_DIEGO'],
    purposes: ['INVESTIGATION', 'INTERDICTION', 'CUSTODY_TRANSFER'],
    pii: true,
    cfr28: true,
    sworn: true,
  },
  // Medical staff: sees medical summaries of transfers, but is neither sworn nor 28 CFR certified.
  'ice-medical': {
    ...NO_FLAGS,
    sub: 'ice-medical@ice-ero-phoenix',
    agency: 'ICE',
    org: 'ice-ero-phoenix',
    roles: ['officer', 'medical'],
    jurisdictions: ['TUCSON'],
    purposes: ['CUSTODY_TRANSFER'],
    pii: true,
  },
  'partner-saguaro': {
    sub: 'partner-saguaro@partner-saguaro-so',
    agency: 'PARTNER',
    org: 'partner-saguaro-so',
    roles: ['officer'],
    jurisdictions: ['county:saguaro', 'TUCSON'],
    purposes: ['INVESTIGATION', 'CUSTODY_TRANSFER'],
    pii: true,
    cfr28: true,
    sworn: true,
  },
  'partner-mesquite': {
    sub: 'partner-mesquite@partner-mesquite-so',
    agency: 'PARTNER',
    org: 'partner-mesquite-so',
    roles: ['officer'],
    jurisdictions: ['county:mesquite', 'RGV'],
    purposes: ['INVESTIGATION', 'CUSTODY_TRANSFER'],
    pii: true,
    cfr28: true,
    sworn: true,
  },
  'ngo-shelter': {
    ...NO_FLAGS,
    sub: 'ngo-shelter@ngo-desert-refuge',
    agency: 'NGO',
    org: 'ngo-desert-refuge',
    roles: ['caseworker'],
    jurisdictions: ['TUCSON'],
    purposes: ['HUMANITARIAN', 'RELEASE_COORDINATION'],
    pii: true,
  },
  'ngo-legal': {
    ...NO_FLAGS,
    sub: 'ngo-legal@ngo-frontera-legal',
    agency: 'NGO',
    org: 'ngo-frontera-legal',
    roles: ['legal'],
    jurisdictions: ['TUCSON', 'RGV'],
    purposes: ['LEGAL_SERVICES', 'HUMANITARIAN'],
    pii: true,
  },
  'ngo-medical': {
    ...NO_FLAGS,
    sub: 'ngo-medical@ngo-camino-health',
    agency: 'NGO',
    org: 'ngo-camino-health',
    roles: ['medical'],
    jurisdictions: ['TUCSON'],
    purposes: ['HUMANITARIAN'],
    pii: true,
  },
  // Reviews who saw what; reads the access log, not the records, so it holds no PII clearance.
  auditor: {
    ...NO_FLAGS,
    sub: 'auditor@oversight-privacy',
    agency: 'OVERSIGHT',
    org: 'oversight-privacy',
    roles: ['auditor'],
    jurisdictions: [...SECTORS],
    purposes: ['OVERSIGHT_AUDIT'],
  },
};
