import { AGENCIES, PURPOSES, RECORD_TYPES, SENSITIVITIES, type RecordType } from '../lib/domain.js';
import type { PolicyRecord, Relation } from '../lib/access/decision.js';

/**
 * The record attributes rule conditions may test, per record type: the vocabulary of the
 * `conditions` half of a rule. Each attribute has a kind (which decides what the operators
 * mean, in JavaScript and in SQL alike), whether it can be missing, the values it can take
 * when that is a closed set (so a rule testing an impossible value is refused at load), and
 * the ColumnMap key a list filter reads it from.
 */

export type AttributeKind = 'text' | 'text[]' | 'boolean' | 'timestamp';

export interface AttributeSpec {
  readonly kind: AttributeKind;
  /** May read as null or be absent (a referral without consent, a record reached without a relation). */
  readonly nullable: boolean;
  /** The only values (or array elements) it can hold, when that set is closed. */
  readonly values?: readonly string[];
  /** Its key in a ColumnMap; null when lists never have it (how a record was reached). */
  readonly column: string | null;
}

const text = (values?: readonly string[]): AttributeSpec => ({ kind: 'text', nullable: false, column: null, ...(values ? { values } : {}) });
const texts = (values?: readonly string[]): AttributeSpec => ({ kind: 'text[]', nullable: false, column: null, ...(values ? { values } : {}) });
const flag: AttributeSpec = { kind: 'boolean', nullable: false, column: null };
const timestamp: AttributeSpec = { kind: 'timestamp', nullable: false, column: null };

const META = {
  id: text(),
  ownerOrg: text(),
  ownerAgency: text(AGENCIES),
  sensitivity: text(SENSITIVITIES),
  jurisdictions: texts(),
  disseminate: texts(),
  createdAt: timestamp,
  updatedAt: timestamp,
};

/** Mirrors `PolicyAttributes` in lib/access/decision.ts: what the owning service hands the engine. */
const RECORD_ATTRIBUTES: Record<RecordType, Readonly<Record<string, AttributeSpec>>> = {
  Network: { ...META, lastValidatedAt: timestamp },
  Route: META,
  // Null when the author recorded only the identity it holds (SPEC 5, "Writes never widen reads").
  Encounter: { ...META, personId: { ...text(), nullable: true } },
  Transfer: { ...META, personId: text(), fromOrg: text(), toOrg: text(), notifiableNgoOrgs: texts() },
  Booking: { ...META, personId: { ...text(), nullable: true } },
  Person: { ...META, protected1367: flag, linkedOrgs: texts() },
  Referral: {
    ...META,
    personId: text(),
    fromOrg: text(),
    toOrg: text(),
    protected1367: flag,
    // A referral may have no consent at all: every consent attribute can be missing.
    'consent.grantees': { ...texts(), nullable: true },
    'consent.purposes': { ...texts(PURPOSES), nullable: true },
    'consent.notifyTransfers': { ...flag, nullable: true },
    'consent.expiresAt': { ...timestamp, nullable: true },
    'consent.revokedAt': { ...timestamp, nullable: true },
  },
  Provider: META,
};

/** How a record was reached (lib/access/decision.ts `Relation`): absent for lists and direct fetches. */
function relationAttributes(): Readonly<Record<string, AttributeSpec>> {
  const parent: Record<string, AttributeSpec> = {};
  for (const type of RECORD_TYPES) {
    for (const [name, spec] of Object.entries(RECORD_ATTRIBUTES[type])) {
      if (!name.includes('.')) parent[`relation.parent.${name}`] = { ...spec, nullable: true, column: null };
    }
  }
  return {
    'relation.parentType': { ...text(RECORD_TYPES), nullable: true },
    'relation.field': { ...text(), nullable: true },
    ...parent,
  };
}

const columnKey = (path: string): string => path.replace(/\.(\w)/g, (_, letter: string) => letter.toUpperCase());

const ATTRIBUTES: Record<RecordType, Readonly<Record<string, AttributeSpec>>> = Object.fromEntries(
  RECORD_TYPES.map((type) => [
    type,
    {
      ...Object.fromEntries(Object.entries(RECORD_ATTRIBUTES[type]).map(([path, spec]) => [path, { ...spec, column: columnKey(path) }])),
      ...relationAttributes(),
    },
  ]),
) as Record<RecordType, Readonly<Record<string, AttributeSpec>>>;

export function attributeOf(type: RecordType, path: string): AttributeSpec | undefined {
  const attributes = ATTRIBUTES[type];
  return Object.hasOwn(attributes, path) ? attributes[path] : undefined;
}

const META_COLUMNS = ['ownerAgency', 'ownerOrg', 'jurisdictions', 'disseminate'] as const;

/**
 * The ColumnMap keys `listFilter` needs per record type: SQL expressions for these record
 * attributes (text, or text[] for jurisdictions, disseminate, linkedOrgs, notifiableNgoOrgs,
 * consentGrantees, consentPurposes; boolean for protected1367; timestamptz for
 * consentExpiresAt and consentRevokedAt, null when the referral has no consent).
 *
 * A contract with every service that lists records: the policy loader refuses a rule whose
 * visibility depends on an attribute not named here, so a list can never be filtered on a
 * column its caller was not asked for. Field-level rules (which never hide a whole record)
 * need no column.
 */
export const REQUIRED_COLUMNS: Readonly<Record<RecordType, readonly string[]>> = {
  Network: META_COLUMNS,
  Route: META_COLUMNS,
  Encounter: META_COLUMNS,
  Transfer: [...META_COLUMNS, 'fromOrg', 'toOrg', 'notifiableNgoOrgs'],
  Booking: META_COLUMNS,
  Person: [...META_COLUMNS, 'linkedOrgs'],
  Referral: [
    ...META_COLUMNS,
    'fromOrg',
    'toOrg',
    'protected1367',
    'consentGrantees',
    'consentPurposes',
    'consentExpiresAt',
    'consentRevokedAt',
  ],
  Provider: META_COLUMNS,
};

/** What a rule condition is matched against: the record, its type, and how it was reached. */
export interface Facts {
  readonly __typename: RecordType;
  readonly record: PolicyRecord;
  readonly relation: Relation | undefined;
}

export const factsOf = (type: RecordType, record: PolicyRecord, relation?: Relation): Facts => ({ __typename: type, record, relation });

/** A dotted attribute path read from the facts; a missing step reads as null. */
export const readAttribute = (facts: Facts, path: string): unknown => readPath(facts, stepsOf(path));

function readPath(facts: Facts, { fromRelation, steps }: AttributePath): unknown {
  let value: unknown = fromRelation ? facts.relation : facts.record;
  for (const step of steps) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, step)) return null;
    value = (value as Readonly<Record<string, unknown>>)[step];
  }
  return value ?? null;
}

/** `readAttribute` for one path, split once: for conditions judged on every record of a page. */
export function attributeReader(path: string): (facts: Facts) => unknown {
  const steps = stepsOf(path);
  return (facts) => readPath(facts, steps);
}

interface AttributePath {
  readonly fromRelation: boolean;
  readonly steps: readonly string[];
}

/**
 * Paths split once: every record of a page reads the same few attributes, and splitting the
 * path string for each record and condition was a visible share of a page's decision time.
 * Paths come from validated rule files, so the map stays as small as the rule set.
 */
const paths = new Map<string, AttributePath>();

function stepsOf(path: string): AttributePath {
  let found = paths.get(path);
  if (found === undefined) {
    const steps = path.split('.');
    found = steps[0] === 'relation' ? { fromRelation: true, steps: steps.slice(1) } : { fromRelation: false, steps };
    paths.set(path, found);
  }
  return found;
}
