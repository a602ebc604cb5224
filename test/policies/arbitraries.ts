import fc from 'fast-check';
import { PURPOSES, ROLES, RECORD_TYPES, type Agency, type Principal, type Purpose, type RecordMeta, type RecordType } from '../../lib/domain.js';
import type { AccessRequest, ConsentAttributes, PolicyAttributes, PolicyRecord, Relation } from '../../lib/access/decision.js';
import { NOW } from './fixtures.js';

/**
 * Random callers and records drawn from the vocabulary the rules test (the orgs and places of
 * SPEC 2, every agency class), so that each condition is met often and missed often.
 */

const DAY = 24 * 3600 * 1000;
const at = (days: number): Date => new Date(NOW.getTime() + days * DAY);

export const ORGS: Readonly<Record<string, Agency>> = {
  'cbp-tucson': 'CBP',
  'cbp-rgv': 'CBP',
  'ice-ero-phoenix': 'ICE',
  'ice-hsi-tucson': 'ICE',
  'partner-saguaro-so': 'PARTNER',
  'partner-mesquite-so': 'PARTNER',
  'ngo-desert-refuge': 'NGO',
  'ngo-frontera-legal': 'NGO',
  'ngo-camino-health': 'NGO',
  'oversight-privacy': 'OVERSIGHT',
};
const ORG_IDS = Object.keys(ORGS);
const NGO_ORGS = ORG_IDS.filter((org) => ORGS[org] === 'NGO');
const PLACES = ['TUCSON', 'RGV', 'EL_PASO', 'SAN_DIEGO', 'county:saguaro', 'county:mesquite'];
const AUDIENCES = ['DHS', 'PARTNER', 'NGO', ...ORG_IDS];
const GRANTEES = ['CBP', 'ICE', 'PARTNER', 'NGO', ...ORG_IDS];

const org = fc.constantFrom(...ORG_IDS);
const someOf = <T>(values: readonly T[]): fc.Arbitrary<T[]> => fc.subarray([...values]);

/** A caller of one of these agency classes (all of them by default). */
export const principalArbitrary = (agencies: readonly Agency[] = ['CBP', 'ICE', 'PARTNER', 'NGO', 'OVERSIGHT']): fc.Arbitrary<Principal> =>
  fc
    .record({
      org: fc.constantFrom(...ORG_IDS.filter((candidate) => agencies.includes(ORGS[candidate] ?? 'NGO'))),
      roles: someOf(ROLES),
      jurisdictions: someOf(PLACES),
      purposes: fc.subarray([...PURPOSES], { minLength: 1 }),
      pii: fc.boolean(),
      cfr28: fc.boolean(),
    })
    .map((claims) => ({
      iss: 'https://issuer.test',
      sub: `random-${claims.org}`,
      agency: ORGS[claims.org] ?? 'NGO',
      sworn: true,
      ...claims,
    }));

/** A caller with a purpose: usually one it holds, sometimes not (which must grant nothing). */
export const requestArbitrary = (agencies?: readonly Agency[]): fc.Arbitrary<AccessRequest> =>
  fc
    .tuple(principalArbitrary(agencies), fc.constantFrom(...PURPOSES), fc.nat({ max: 9 }))
    .map(([principal, stated, dice]): AccessRequest => {
      const purpose: Purpose = dice === 0 ? stated : (principal.purposes[dice % principal.purposes.length] ?? stated);
      return { principal, purpose, now: NOW };
    });

const meta: fc.Arbitrary<RecordMeta> = fc
  .record({
    id: fc.constant('X'),
    ownerOrg: org,
    jurisdictions: someOf(PLACES),
    disseminate: someOf(AUDIENCES),
    createdAt: fc.integer({ min: -400, max: -10 }).map(at),
    updatedAt: fc.integer({ min: -9, max: 0 }).map(at),
  })
  .map((record) => ({ ...record, ownerAgency: ORGS[record.ownerOrg] ?? 'NGO', sensitivity: 'SENSITIVE' as const }));

const consent: fc.Arbitrary<ConsentAttributes | null> = fc.option(
  fc.record({
    grantees: someOf(GRANTEES),
    purposes: someOf(PURPOSES),
    notifyTransfers: fc.boolean(),
    expiresAt: fc.option(fc.integer({ min: -60, max: 60 }).map(at)),
    revokedAt: fc.option(fc.integer({ min: -60, max: -1 }).map(at)),
  }),
);

const RECORD_ARBITRARIES: { readonly [T in RecordType]: fc.Arbitrary<PolicyAttributes[T]> } = {
  // Up to nine years old: both sides of the five-year review.
  Network: fc.tuple(meta, fc.integer({ min: 0, max: 9 * 366 })).map(([base, days]) => ({ ...base, lastValidatedAt: at(-days) })),
  Route: meta,
  Encounter: meta.map((base) => ({ ...base, personId: 'P-1' })),
  Transfer: fc
    .record({ base: meta, fromOrg: org, toOrg: org, notifiableNgoOrgs: someOf(NGO_ORGS) })
    .map(({ base, ...rest }) => ({ ...base, personId: 'P-1', ...rest })),
  Booking: meta.map((base) => ({ ...base, personId: 'P-1' })),
  Person: fc.record({ base: meta, protected1367: fc.boolean(), linkedOrgs: someOf(ORG_IDS) }).map(({ base, ...rest }) => ({ ...base, ...rest })),
  Referral: fc
    .record({ base: meta, fromOrg: org, toOrg: org, protected1367: fc.boolean(), consent })
    .map(({ base, ...rest }) => ({ ...base, personId: 'P-1', ...rest })),
  Provider: meta,
};

export const recordArbitrary = (type: RecordType): fc.Arbitrary<PolicyRecord> => RECORD_ARBITRARIES[type];

export interface TypedRecord {
  readonly type: RecordType;
  readonly record: PolicyRecord;
  readonly relation?: Relation;
}

/** A record of one of these types (any by default), and for persons sometimes the network it was reached through. */
export const typedRecordArbitrary = (types: readonly RecordType[] = RECORD_TYPES): fc.Arbitrary<TypedRecord> =>
  fc
    .constantFrom(...types)
    .chain((type) =>
      fc.tuple(recordArbitrary(type), fc.option(RECORD_ARBITRARIES.Network, { freq: 2 })).map(([record, network]) =>
        type === 'Person' && network !== null
          ? { type, record, relation: { parentType: 'Network' as const, parent: network, field: 'members' } }
          : { type, record },
      ),
    );
