import { PURPOSES, type Agency, type Principal, type Purpose, type RecordMeta, type RecordType, type Role } from '../../lib/domain.js';
import type { AccessRequest, ConsentAttributes, PolicyAttributes, PolicyRecord, Relation } from '../../lib/access/decision.js';

/**
 * Synthetic callers and records for the policy tests: each record exists to sit on one side
 * of one condition of SPEC 5 (stale or current, disseminated or not, consent active, revoked,
 * expired, for another purpose or grantee, protected or not...). Time is frozen at NOW.
 */

export const NOW = new Date('2025-06-01T12:00:00Z');
const DAY = 24 * 3600 * 1000;
export const daysAgo = (days: number): Date => new Date(NOW.getTime() - days * DAY);
export const daysAhead = (days: number): Date => new Date(NOW.getTime() + days * DAY);

interface PersonaSpec {
  readonly agency: Agency;
  readonly org: string;
  readonly roles: readonly Role[];
  readonly jurisdictions: readonly string[];
  readonly pii?: boolean;
  readonly cfr28?: boolean;
  readonly purposes?: readonly Purpose[];
}

export const principal = (name: string, spec: PersonaSpec): Principal => ({
  iss: 'https://issuer.test',
  sub: name,
  agency: spec.agency,
  org: spec.org,
  roles: spec.roles,
  jurisdictions: spec.jurisdictions,
  // Every purpose is held unless said otherwise: the rules, not the token, are under test.
  purposes: spec.purposes ?? PURPOSES,
  pii: spec.pii ?? false,
  cfr28: spec.cfr28 ?? false,
  sworn: spec.agency !== 'NGO' && spec.agency !== 'OVERSIGHT',
});

export const PERSONAS = {
  cbpAnalyst: principal('cbpAnalyst', { agency: 'CBP', org: 'cbp-tucson', roles: ['analyst'], jurisdictions: ['TUCSON'], pii: true, cfr28: true }),
  cbpAgent: principal('cbpAgent', { agency: 'CBP', org: 'cbp-tucson', roles: ['agent'], jurisdictions: ['TUCSON'], pii: true }),
  cbpMedic: principal('cbpMedic', { agency: 'CBP', org: 'cbp-tucson', roles: ['agent', 'medical'], jurisdictions: ['TUCSON'] }),
  cbpRgvAgent: principal('cbpRgvAgent', { agency: 'CBP', org: 'cbp-rgv', roles: ['agent'], jurisdictions: ['RGV'] }),
  iceOfficer: principal('iceOfficer', { agency: 'ICE', org: 'ice-ero-phoenix', roles: ['officer'], jurisdictions: ['TUCSON', 'RGV'], pii: true }),
  iceEroAnalyst: principal('iceEroAnalyst', { agency: 'ICE', org: 'ice-ero-phoenix', roles: ['analyst'], jurisdictions: ['TUCSON', 'RGV'], pii: true, cfr28: true }),
  iceAnalyst: principal('iceAnalyst', { agency: 'ICE', org: 'ice-hsi-tucson', roles: ['analyst'], jurisdictions: ['TUCSON'], pii: true, cfr28: true }),
  iceMedical: principal('iceMedical', { agency: 'ICE', org: 'ice-ero-phoenix', roles: ['officer', 'medical'], jurisdictions: ['TUCSON'] }),
  partnerSaguaro: principal('partnerSaguaro', {
    agency: 'PARTNER',
    org: 'partner-saguaro-so',
    roles: ['officer'],
    jurisdictions: ['county:saguaro', 'TUCSON'],
    pii: true,
    cfr28: true,
  }),
  partnerMesquite: principal('partnerMesquite', { agency: 'PARTNER', org: 'partner-mesquite-so', roles: ['officer'], jurisdictions: ['county:mesquite', 'RGV'] }),
  ngoShelter: principal('ngoShelter', { agency: 'NGO', org: 'ngo-desert-refuge', roles: ['caseworker'], jurisdictions: ['TUCSON'], pii: true }),
  ngoLegal: principal('ngoLegal', { agency: 'NGO', org: 'ngo-frontera-legal', roles: ['legal'], jurisdictions: ['TUCSON', 'RGV'], pii: true }),
  ngoMedical: principal('ngoMedical', { agency: 'NGO', org: 'ngo-camino-health', roles: ['medical'], jurisdictions: ['TUCSON'] }),
  auditor: principal('auditor', { agency: 'OVERSIGHT', org: 'oversight-privacy', roles: ['auditor'], jurisdictions: [], purposes: ['OVERSIGHT_AUDIT'] }),
} as const satisfies Record<string, Principal>;
export type PersonaName = keyof typeof PERSONAS;

export const request = (who: Principal, purpose: Purpose, now: Date = NOW): AccessRequest => ({ principal: who, purpose, now });

const meta = (id: string, owner: { readonly org: string; readonly agency: Agency }, jurisdictions: readonly string[], disseminate: readonly string[]): RecordMeta => ({
  id,
  ownerOrg: owner.org,
  ownerAgency: owner.agency,
  sensitivity: 'LAW_ENFORCEMENT_SENSITIVE',
  jurisdictions,
  disseminate,
  createdAt: daysAgo(40),
  updatedAt: daysAgo(2),
});

const HSI = { org: 'ice-hsi-tucson', agency: 'ICE' } as const;
const ERO = { org: 'ice-ero-phoenix', agency: 'ICE' } as const;
const CBP_TUCSON = { org: 'cbp-tucson', agency: 'CBP' } as const;
const CBP_RGV = { org: 'cbp-rgv', agency: 'CBP' } as const;
const SAGUARO = { org: 'partner-saguaro-so', agency: 'PARTNER' } as const;
const REFUGE = { org: 'ngo-desert-refuge', agency: 'NGO' } as const;
const LEGAL = { org: 'ngo-frontera-legal', agency: 'NGO' } as const;
const CAMINO = { org: 'ngo-camino-health', agency: 'NGO' } as const;

const network = (id: string, owner: typeof HSI | typeof ERO | typeof CBP_TUCSON, jurisdictions: readonly string[], disseminate: readonly string[], validatedYearsAgo: number): PolicyAttributes['Network'] => ({
  ...meta(id, owner, jurisdictions, disseminate),
  lastValidatedAt: daysAgo(validatedYearsAgo * 365.25),
});

const consent = (overrides: Partial<ConsentAttributes> = {}): ConsentAttributes => ({
  grantees: ['CBP'],
  purposes: ['RELEASE_COORDINATION'],
  notifyTransfers: false,
  expiresAt: null,
  revokedAt: null,
  ...overrides,
});

const referral = (
  id: string,
  overrides: Partial<PolicyAttributes['Referral']> & { readonly owner?: typeof REFUGE | typeof LEGAL | typeof CAMINO } = {},
): PolicyAttributes['Referral'] => {
  const { owner = REFUGE, ...rest } = overrides;
  return {
    ...meta(id, owner, ['TUCSON'], []),
    personId: 'P-linked',
    fromOrg: 'cbp-tucson',
    toOrg: owner.org,
    protected1367: false,
    consent: consent(),
    ...rest,
  };
};

export const RECORDS = {
  Network: {
    iceShared: network('N-shared', HSI, ['TUCSON', 'county:saguaro'], ['DHS', 'PARTNER', 'partner-saguaro-so'], 1),
    iceStale: network('N-stale', HSI, ['TUCSON', 'county:saguaro'], ['DHS', 'PARTNER', 'partner-saguaro-so'], 6),
    iceDhsOnly: network('N-dhs', HSI, ['TUCSON'], ['DHS'], 1),
    iceOwnerOnly: network('N-owner', HSI, ['TUCSON'], [], 1),
    icePartnersRgv: network('N-rgv', ERO, ['RGV', 'county:mesquite'], ['DHS', 'PARTNER'], 2),
    cbpShared: network('N-cbp', CBP_TUCSON, ['TUCSON'], ['DHS', 'PARTNER'], 1),
  },
  Route: {
    shared: meta('R-shared', CBP_TUCSON, ['TUCSON', 'county:saguaro'], ['DHS', 'PARTNER', 'NGO']),
    dhsOnly: meta('R-dhs', CBP_TUCSON, ['TUCSON'], ['DHS']),
    cbpOnly: meta('R-cbp', CBP_TUCSON, ['TUCSON'], []),
    rgvShared: meta('R-rgv', CBP_RGV, ['RGV'], ['DHS', 'PARTNER', 'NGO']),
  },
  Encounter: {
    dhs: { ...meta('E-dhs', CBP_TUCSON, ['TUCSON'], ['DHS']), personId: 'P-linked' },
    cbpOnly: { ...meta('E-cbp', CBP_TUCSON, ['TUCSON'], []), personId: 'P-linked' },
  },
  Transfer: {
    fromSaguaro: {
      ...meta('T-saguaro', SAGUARO, ['county:saguaro', 'TUCSON'], ['DHS', 'partner-saguaro-so']),
      personId: 'P-linked',
      fromOrg: 'partner-saguaro-so',
      toOrg: 'ice-ero-phoenix',
      notifiableNgoOrgs: ['ngo-frontera-legal'],
    },
    fromCbp: {
      ...meta('T-cbp', CBP_TUCSON, ['TUCSON'], ['DHS']),
      personId: 'P-linked',
      fromOrg: 'cbp-tucson',
      toOrg: 'ice-ero-phoenix',
      notifiableNgoOrgs: [],
    },
    fromCbpPrivate: {
      ...meta('T-private', CBP_TUCSON, ['TUCSON'], []),
      personId: 'P-linked',
      fromOrg: 'cbp-tucson',
      toOrg: 'ice-ero-phoenix',
      notifiableNgoOrgs: [],
    },
  },
  Booking: {
    saguaro: { ...meta('B-saguaro', SAGUARO, ['county:saguaro'], ['DHS', 'partner-saguaro-so']), personId: 'P-linked' },
  },
  Person: {
    linked: {
      ...meta('P-linked', ERO, ['TUCSON', 'county:saguaro'], ['DHS', 'PARTNER', 'NGO']),
      protected1367: false,
      linkedOrgs: ['partner-saguaro-so', 'cbp-tucson', 'ice-ero-phoenix', 'ngo-desert-refuge', 'ngo-camino-health'],
    },
    protectedClient: {
      ...meta('P-protected', ERO, ['RGV'], ['DHS', 'PARTNER', 'NGO']),
      protected1367: true,
      linkedOrgs: ['ngo-frontera-legal', 'cbp-rgv'],
    },
    unlinked: {
      ...meta('P-unlinked', ERO, ['EL_PASO'], ['DHS', 'PARTNER', 'NGO']),
      protected1367: false,
      linkedOrgs: ['ice-ero-phoenix'],
    },
  },
  Referral: {
    consented: referral('RF-consented'),
    consentFuture: referral('RF-future', { consent: consent({ expiresAt: daysAhead(30) }) }),
    revoked: referral('RF-revoked', { consent: consent({ revokedAt: daysAgo(2) }) }),
    expired: referral('RF-expired', { consent: consent({ expiresAt: daysAgo(1) }) }),
    otherPurpose: referral('RF-purpose', { consent: consent({ purposes: ['LEGAL_SERVICES'] }) }),
    otherGrantee: referral('RF-grantee', { consent: consent({ grantees: ['ICE'] }) }),
    orgGrantee: referral('RF-org', { consent: consent({ grantees: ['ice-ero-phoenix'], purposes: ['CUSTODY_TRANSFER', 'RELEASE_COORDINATION'] }) }),
    noConsent: referral('RF-none', { consent: null }),
    protected: referral('RF-protected', {
      owner: LEGAL,
      jurisdictions: ['RGV'],
      personId: 'P-protected',
      fromOrg: 'ngo-desert-refuge',
      protected1367: true,
      consent: consent({ grantees: ['CBP', 'ICE', 'PARTNER'], purposes: [...PURPOSES], notifyTransfers: true }),
    }),
    ngoToNgo: referral('RF-ngo', { owner: CAMINO, fromOrg: 'ngo-desert-refuge', consent: null }),
  },
  Provider: {
    refuge: meta('PV-refuge', REFUGE, ['TUCSON'], ['DHS', 'PARTNER', 'NGO']),
    legalPrivate: meta('PV-legal', LEGAL, ['RGV'], []),
  },
} as const satisfies { readonly [T in RecordType]: Readonly<Record<string, PolicyAttributes[T]>> };

/** `Type.name` or `Type.name@ParentType.parentName.field` (a record reached through a relation). */
export interface RecordRef {
  readonly type: RecordType;
  readonly record: PolicyRecord;
  readonly relation?: Relation;
}

export function recordRef(key: string): RecordRef {
  const [own, via] = key.split('@');
  const lookup = (ref: string): { readonly type: RecordType; readonly record: PolicyRecord; readonly rest: readonly string[] } => {
    const [type, name, ...rest] = ref.split('.');
    const records = (RECORDS as Readonly<Record<string, Readonly<Record<string, PolicyRecord>>>>)[type ?? ''];
    const record = records?.[name ?? ''];
    if (!records || !record) throw new Error(`No fixture record ${ref}`);
    return { type: type as RecordType, record, rest };
  };
  const { type, record } = lookup(own ?? '');
  if (via === undefined) return { type, record };
  const parent = lookup(via);
  return { type, record, relation: { parentType: parent.type, parent: parent.record, field: parent.rest.join('.') } };
}

/** Every fixture record, plus members reached through each network. */
export function allRecordRefs(): readonly (RecordRef & { readonly key: string })[] {
  const keys: string[] = [];
  for (const [type, records] of Object.entries(RECORDS)) for (const name of Object.keys(records)) keys.push(`${type}.${name}`);
  for (const person of Object.keys(RECORDS.Person)) {
    for (const net of Object.keys(RECORDS.Network)) keys.push(`Person.${person}@Network.${net}.members`);
  }
  return keys.map((key) => ({ key, ...recordRef(key) }));
}
