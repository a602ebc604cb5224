import type { Category, RecordType } from '../domain.js';

/**
 * Every field of every entity, across all four subgraph schemas, and the category that
 * policies grant it under (SPEC 4: "policies grant categories, not single fields"). This is
 * the one place a field gets a category: `test/policies/fields.test.ts` parses
 * `schema/*.graphql` and fails when a field of an entity is missing here, or when this map
 * names a field that no schema has, so a new field cannot ship unclassified.
 */

/** The metadata every shared record carries (SPEC 4): owner, sensitivity, dissemination, times. */
const META = {
  id: 'CORE',
  ownerOrg: 'CORE',
  ownerAgency: 'CORE',
  sensitivity: 'CORE',
  jurisdictions: 'CORE',
  disseminate: 'CORE',
  createdAt: 'CORE',
  updatedAt: 'CORE',
} as const satisfies Record<string, Category>;

export const FIELD_CATEGORIES = {
  Network: {
    ...META,
    name: 'CORE',
    kind: 'CORE',
    threatLevel: 'CORE',
    status: 'CORE',
    sectors: 'CORE',
    lastValidatedAt: 'CORE',
    reviewRequired: 'CORE',
    // Contributed by the cbp subgraph; each route is decided as a record of its own.
    routes: 'CORE',
    // Who belongs to the network and in which role is the intelligence itself.
    members: 'INTEL',
    intelligenceBasis: 'INTEL',
    analyticSummary: 'INTEL',
  },
  Route: {
    ...META,
    name: 'CORE',
    sector: 'CORE',
    modality: 'CORE',
    // Coarse (about 10 km): enough to place water stations, not to plan an interdiction.
    path: 'CORE',
    firstSeenAt: 'CORE',
    lastSeenAt: 'CORE',
    activityLevel: 'CORE',
    waypoints: 'TACTICAL',
    surveillanceAssets: 'TACTICAL',
    // Linking a route to networks says who runs it: intelligence (rule 4 names it apart).
    networks: 'INTEL',
    hazards: 'HUMANITARIAN',
    providers: 'HUMANITARIAN',
  },
  Encounter: {
    ...META,
    occurredAt: 'CORE',
    sector: 'CORE',
    station: 'CORE',
    route: 'CORE',
    // A link only: the person record is decided on its own.
    person: 'CORE',
    // The identity the author supplied instead of a person link: PII of the author's own record.
    subject: 'PII',
    disposition: 'CORE',
    unaccompaniedMinor: 'CORE',
    familyUnit: 'CORE',
    medicalNeed: 'MEDICAL',
    medicalSummary: 'MEDICAL',
  },
  Transfer: {
    ...META,
    person: 'CORE',
    status: 'CORE',
    fromOrg: 'CORE',
    fromFacility: 'CORE',
    toOrg: 'CORE',
    toFacility: 'CORE',
    requestedAt: 'CORE',
    acceptedAt: 'CORE',
    departedAt: 'CORE',
    completedAt: 'CORE',
    reason: 'CORE',
    medicalSummary: 'MEDICAL',
    // Contributed by the partner subgraph; the booking is decided on its own.
    booking: 'CORE',
  },
  Booking: {
    ...META,
    person: 'CORE',
    // The identity the author supplied instead of a person link: PII of the author's own record.
    subject: 'PII',
    county: 'CORE',
    bookedAt: 'CORE',
    charges: 'CORE',
    detainerStatus: 'CORE',
    releaseDate: 'CORE',
    transfer: 'CORE',
  },
  Person: {
    ...META,
    name: 'PII',
    dateOfBirth: 'PII',
    nationality: 'PII',
    aNumber: 'PII',
    // CORE so that an NGO always knows it must protect its client (rule 4); rule 6 withholds
    // it from enforcement by a rule of its own.
    protected1367: 'CORE',
    // Relation lists: every listed record passes its own decision.
    transfers: 'CORE',
    encounters: 'CORE',
    bookings: 'CORE',
    referrals: 'CORE',
  },
  Referral: {
    ...META,
    person: 'CORE',
    fromOrg: 'CORE',
    toOrg: 'CORE',
    service: 'CORE',
    status: 'CORE',
    provider: 'CORE',
    consent: 'CORE',
    notes: 'NGO_CONFIDENTIAL',
    circumstances: 'NGO_CONFIDENTIAL',
  },
  Provider: {
    ...META,
    name: 'CORE',
    sector: 'CORE',
    services: 'CORE',
    capacity: 'HUMANITARIAN',
    bedsAvailable: 'HUMANITARIAN',
  },
} as const satisfies Record<RecordType, Record<string, Category>>;

/** The federation key: a visible record always shows it (entities are resolved by it). */
export const KEY_FIELD = 'id';

export const fieldNames = (type: RecordType): readonly string[] => Object.keys(FIELD_CATEGORIES[type]);

export function categoryOf(type: RecordType, field: string): Category | undefined {
  const fields: Readonly<Record<string, Category>> = FIELD_CATEGORIES[type];
  return Object.hasOwn(fields, field) ? fields[field] : undefined;
}

export const fieldsIn = (type: RecordType, category: Category): readonly string[] =>
  fieldNames(type).filter((field) => categoryOf(type, field) === category);
