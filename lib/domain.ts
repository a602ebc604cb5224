import {
  AgencyValues,
  PurposeValues,
  SectorValues,
  SensitivityValues,
  type Agency,
  type Purpose,
  type Sector,
  type Sensitivity,
} from '../schema/generated/enums.js';

/**
 * The vocabulary of SPEC sections 2-4, declared once. Every other file imports these unions
 * instead of spelling string literals, so that a typo is a compile error.
 */

/** The SDL's enumerations (schema/generated/enums.ts, `npm run codegen`), under the names the code uses. */
export const AGENCIES = AgencyValues;
export type { Agency };

export const ROLES = ['agent', 'analyst', 'supervisor', 'officer', 'caseworker', 'legal', 'medical', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export const PURPOSES = PurposeValues;
export type { Purpose };

export const SECTORS = SectorValues;
export type { Sector };

export const CATEGORIES = ['CORE', 'PII', 'INTEL', 'TACTICAL', 'MEDICAL', 'HUMANITARIAN', 'NGO_CONFIDENTIAL'] as const;
export type Category = (typeof CATEGORIES)[number];

/** Shared record types: each is a federation entity with `@key(fields: "id")`. */
export const RECORD_TYPES = ['Network', 'Route', 'Encounter', 'Transfer', 'Booking', 'Person', 'Referral', 'Provider'] as const;
export type RecordType = (typeof RECORD_TYPES)[number];

export const SERVICES = ['gateway', 'cbp', 'ice', 'partner', 'ngo', 'audit'] as const;
export type ServiceName = (typeof SERVICES)[number];
export type SubgraphName = Exclude<ServiceName, 'gateway'>;
export const SUBGRAPHS: readonly SubgraphName[] = ['cbp', 'ice', 'partner', 'ngo', 'audit'];

export const SENSITIVITIES = SensitivityValues;
export type { Sensitivity };

/**
 * A verified caller: the GFIPM-style claims of SPEC section 2, after validation. Built only by
 * the identity module from a token whose signature, issuer, audience and lifetime were checked.
 */
export interface Principal {
  readonly iss: string;
  readonly sub: string;
  readonly agency: Agency;
  readonly org: string;
  readonly roles: readonly Role[];
  readonly jurisdictions: readonly string[];
  readonly purposes: readonly Purpose[];
  readonly pii: boolean;
  readonly cfr28: boolean;
  readonly sworn: boolean;
}

/** The attributes every shared record carries (SPEC section 4). */
export interface RecordMeta {
  readonly id: string;
  readonly ownerOrg: string;
  readonly ownerAgency: Agency;
  readonly sensitivity: Sensitivity;
  readonly jurisdictions: readonly string[];
  /** Agency classes (`DHS`, `PARTNER`, `NGO`, ...) or org ids beyond the owner that may receive it. */
  readonly disseminate: readonly string[];
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export const isOneOf =
  <T extends string>(values: readonly T[]) =>
  (value: unknown): value is T =>
    typeof value === 'string' && (values as readonly string[]).includes(value);

export const isAgency = isOneOf(AGENCIES);
export const isRole = isOneOf(ROLES);
export const isPurpose = isOneOf(PURPOSES);
export const isSector = isOneOf(SECTORS);
export const isRecordType = isOneOf(RECORD_TYPES);
export const isCategory = isOneOf(CATEGORIES);
export const isSubgraphName = isOneOf(SUBGRAPHS);
export const isServiceName = isOneOf(SERVICES);
