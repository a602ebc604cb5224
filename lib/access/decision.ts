import type { Category, Principal, Purpose, RecordMeta, RecordType } from '../domain.js';
import type { Sql } from '../store/sql.js';

/**
 * The contract between the services and the policy engine. Services hand the engine a
 * principal, a purpose and a record's policy attributes; the engine answers with a decision
 * that names the rule behind every verdict, so that redaction errors and audit entries can
 * quote it. It lives in lib/, beside the funnel that asks it, so that lib/ never imports the
 * engine above it: policies/ implements `PolicyEngine` (docs/architecture.md, "Layers").
 */

export interface AccessRequest {
  readonly principal: Principal;
  readonly purpose: Purpose;
  /** Evaluation time: consent expiry and the five-year review are judged against it. */
  readonly now: Date;
}

export interface ConsentAttributes {
  readonly grantees: readonly string[];
  readonly purposes: readonly string[];
  readonly notifyTransfers: boolean;
  readonly expiresAt: Date | null;
  readonly revokedAt: Date | null;
}

/** What the engine may know about each record type, beyond the common metadata. */
export interface PolicyAttributes {
  readonly Network: RecordMeta & { readonly lastValidatedAt: Date };
  readonly Route: RecordMeta;
  /** `personId` is null when the author recorded only the identity it holds (no link to ICE's Person). */
  readonly Encounter: RecordMeta & { readonly personId: string | null };
  readonly Transfer: RecordMeta & {
    readonly personId: string;
    readonly fromOrg: string;
    readonly toOrg: string;
    /** NGO orgs holding an active referral for this person whose consent covers transfer notification. */
    readonly notifiableNgoOrgs: readonly string[];
  };
  readonly Booking: RecordMeta & { readonly personId: string | null };
  readonly Person: RecordMeta & {
    readonly protected1367: boolean;
    /** Orgs holding a booking, transfer (either end), encounter or referral (either end) of this person. */
    readonly linkedOrgs: readonly string[];
  };
  readonly Referral: RecordMeta & {
    readonly personId: string;
    readonly fromOrg: string;
    readonly toOrg: string;
    readonly protected1367: boolean;
    readonly consent: ConsentAttributes | null;
  };
  readonly Provider: RecordMeta;
}

export type PolicyRecord<T extends RecordType = RecordType> = PolicyAttributes[T];

/**
 * How a record was reached, when that matters: a Person reached as a member of a Network
 * (rule 3 lets a partner see members' PII under that network's dissemination).
 */
export interface Relation {
  readonly parentType: RecordType;
  readonly parent: PolicyRecord;
  readonly field: string;
}

export interface Verdict {
  readonly allowed: boolean;
  /** The rule id that allowed or withheld it (`deny-by-default` when nothing matched). */
  readonly rule: string;
  readonly reason: string;
}

export interface RecordDecision {
  /** False: the whole record is withheld (absent from lists, null by id). */
  readonly visible: boolean;
  /** Every rule id that contributed, for the audit entry. */
  readonly rules: readonly string[];
  readonly reason: string;
  /** Verdict for one schema field of a visible record. */
  field(name: string): Verdict;
  /** Categories of the type that are released. */
  readonly categories: ReadonlySet<Category>;
}

export const WRITE_ACTIONS = [
  'create',
  'update',
  'requestTransfer',
  'acceptTransfer',
  'startTransfer',
  'completeTransfer',
  'cancelTransfer',
  'createReferral',
  'updateReferral',
  'grantConsent',
  'revokeConsent',
  'linkRouteToNetwork',
] as const;
export type WriteAction = (typeof WRITE_ACTIONS)[number];

/** SQL expressions for the attributes a list filter may test, per table being listed. */
export type ColumnMap = Readonly<Record<string, Sql>>;

export interface PolicyEngine {
  decide<T extends RecordType>(request: AccessRequest, type: T, record: PolicyRecord<T>, relation?: Relation): RecordDecision;
  /**
   * A SQL condition that keeps exactly the records `decide` would show (never more), so lists
   * and totalCount are computed in the database instead of fetching and discarding.
   */
  listFilter(request: AccessRequest, type: RecordType, columns: ColumnMap): Sql;
  /** Rule 9: may this principal perform this write on this record (or create one like it)? */
  canWrite<T extends RecordType>(request: AccessRequest, action: WriteAction, type: T, record: PolicyRecord<T>): Verdict;
  /** Rule 8: may this principal read the access log and the chain status? */
  canReadAuditLog(request: AccessRequest): Verdict;
}
