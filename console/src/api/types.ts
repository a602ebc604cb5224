import { bool, int, list, object, oneOf, optStr, str, strList, type JsonObject } from './decode.js';
import type {
  ConsoleAccessEventFragment,
  ConsoleCheckpointsQuery,
  ConsoleSummariesQuery,
  ConsoleVerifyChainQuery,
} from './generated-operations.js';

/** The audit API's shapes (schema/audit.graphql), as the console reads them. */

import {
  AgencyValues,
  AnomalyKindValues,
  AuditActionValues,
  AuditDecisionValues,
  PurposeValues,
  type AnomalyKind,
  type AuditAction,
  type AuditDecision,
} from './generated.js';

// The enumerations come from the SDL through console/src/api/generated.ts (`npm run codegen`).
export const DECISIONS = AuditDecisionValues;
export type Decision = AuditDecision;
export const ACTIONS = AuditActionValues;
export type Action = AuditAction;
export const AGENCIES = AgencyValues;
export const PURPOSES = PurposeValues;
export const ANOMALY_KINDS = AnomalyKindValues;
export type { AnomalyKind };
/** `recordType` is a String in the SDL: the record types of SPEC section 4 (lib/domain.ts). */
export const RECORD_TYPES = ['Network', 'Route', 'Encounter', 'Transfer', 'Booking', 'Person', 'Referral', 'Provider'] as const;

export interface AccessEvent {
  readonly id: string;
  readonly at: string;
  readonly requestId: string;
  readonly operationName: string | null;
  readonly operationHash: string | null;
  readonly subjectIss: string | null;
  readonly subjectSub: string | null;
  readonly subjectOrg: string | null;
  readonly agency: string | null;
  readonly roles: readonly string[];
  readonly purpose: string | null;
  readonly justification: string | null;
  readonly action: Action;
  readonly recordType: string | null;
  readonly recordId: string | null;
  readonly ownerOrg: string | null;
  readonly personId: string | null;
  readonly decision: Decision;
  readonly fieldsReleased: readonly string[];
  readonly fieldsRedacted: readonly string[];
  readonly rules: readonly string[];
  readonly service: string;
  readonly reason: string | null;
  readonly chain: string;
  /** The audit event holding this record's access (id `<chain>:<seq>.<item>`). */
  readonly seq: number;
  readonly item: number;
  /** Records in that event, this one included. */
  readonly itemCount: number;
  /** The event's hash and its predecessor's. */
  readonly hash: string;
  readonly prevHash: string;
}

/** An entry as the console's fragment ConsoleAccessEvent selects it (console/operations/access-event.graphql). */
export function accessEvent(value: unknown, where: string): AccessEvent {
  const o = object(value, where);
  return {
    id: str(o, 'id', where),
    at: str(o, 'at', where),
    requestId: str(o, 'requestId', where),
    operationName: optStr(o, 'operationName', where),
    operationHash: optStr(o, 'operationHash', where),
    subjectIss: optStr(o, 'subjectIss', where),
    subjectSub: optStr(o, 'subjectSub', where),
    subjectOrg: optStr(o, 'subjectOrg', where),
    agency: optStr(o, 'agency', where),
    roles: strList(o, 'roles', where),
    purpose: optStr(o, 'purpose', where),
    justification: optStr(o, 'justification', where),
    action: oneOf(o, 'action', where, ACTIONS),
    recordType: optStr(o, 'recordType', where),
    recordId: optStr(o, 'recordId', where),
    ownerOrg: optStr(o, 'ownerOrg', where),
    personId: optStr(o, 'personId', where),
    decision: oneOf(o, 'decision', where, DECISIONS),
    fieldsReleased: strList(o, 'fieldsReleased', where),
    fieldsRedacted: strList(o, 'fieldsRedacted', where),
    rules: strList(o, 'rules', where),
    service: str(o, 'service', where),
    reason: optStr(o, 'reason', where),
    chain: str(o, 'chain', where),
    seq: int(o, 'seq', where),
    item: int(o, 'item', where),
    itemCount: int(o, 'itemCount', where),
    hash: str(o, 'hash', where),
    prevHash: str(o, 'prevHash', where),
  };
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly totalCount: number;
  readonly hasNextPage: boolean;
  readonly endCursor: string | null;
}

export function accessEventPage(value: unknown, where: string): Page<AccessEvent> {
  const o = object(value, where);
  const pageInfo = object(o['pageInfo'], `${where}.pageInfo`);
  return {
    items: list(o, 'edges', where, (edge, at) => accessEvent(object(edge, at)['node'], `${at}.node`)),
    totalCount: int(o, 'totalCount', where),
    hasNextPage: bool(pageInfo, 'hasNextPage', `${where}.pageInfo`),
    endCursor: optStr(pageInfo, 'endCursor', `${where}.pageInfo`),
  };
}

export interface OrgDayCount {
  readonly org: string;
  readonly day: string;
  readonly count: number;
}
export interface RuleCount {
  readonly rule: string;
  readonly count: number;
}
export interface CategoryCount {
  readonly category: string;
  readonly count: number;
  readonly fromReleasedRecords: number;
  readonly fromDeniedRecords: number;
}
export interface Summaries {
  readonly accessesPerOrgPerDay: readonly OrgDayCount[];
  readonly denialsByRule: readonly RuleCount[];
  readonly redactionsByCategory: readonly CategoryCount[];
}

export function summaries(value: unknown, where: string): Summaries {
  const o = object(value, where);
  return {
    accessesPerOrgPerDay: list(o, 'accessesPerOrgPerDay', where, (item, at) => {
      const row = object(item, at);
      return { org: str(row, 'org', at), day: str(row, 'day', at), count: int(row, 'count', at) };
    }),
    denialsByRule: list(o, 'denialsByRule', where, (item, at) => {
      const row = object(item, at);
      return { rule: str(row, 'rule', at), count: int(row, 'count', at) };
    }),
    redactionsByCategory: list(o, 'redactionsByCategory', where, (item, at) => {
      const row = object(item, at);
      return {
        category: str(row, 'category', at),
        count: int(row, 'count', at),
        fromReleasedRecords: int(row, 'fromReleasedRecords', at),
        fromDeniedRecords: int(row, 'fromDeniedRecords', at),
      };
    }),
  };
}

export interface AnomalyFinding {
  readonly kind: Exclude<AnomalyKind, 'CHECK_SKIPPED'>;
  readonly subjectSub: string | null;
  readonly subjectOrg: string | null;
  readonly agency: string | null;
  readonly count: number;
  readonly firstAt: string;
  readonly lastAt: string;
  readonly explanation: string;
  readonly examples: readonly AccessEvent[];
}
export interface SkippedCheck {
  readonly kind: 'CHECK_SKIPPED';
  readonly check: string;
  readonly explanation: string;
}
export type Anomaly = AnomalyFinding | SkippedCheck;

export function anomaly(value: unknown, where: string): Anomaly {
  const o = object(value, where);
  const kind = oneOf(o, 'kind', where, ANOMALY_KINDS);
  if (kind === 'CHECK_SKIPPED') return { kind, check: optStr(o, 'check', where) ?? 'unknown', explanation: str(o, 'explanation', where) };
  return {
    kind,
    subjectSub: optStr(o, 'subjectSub', where),
    subjectOrg: optStr(o, 'subjectOrg', where),
    agency: optStr(o, 'agency', where),
    count: int(o, 'count', where),
    firstAt: str(o, 'firstAt', where),
    lastAt: str(o, 'lastAt', where),
    explanation: str(o, 'explanation', where),
    examples: list(o, 'examples', where, accessEvent),
  };
}

export interface ChainStatus {
  readonly chain: string;
  readonly valid: boolean;
  readonly checkedEntries: number;
  readonly firstBrokenEntry: string | null;
  readonly reason: string | null;
}
export interface AuditChainStatus {
  readonly valid: boolean;
  readonly checkedEntries: number;
  readonly firstBrokenEntry: string | null;
  readonly reason: string | null;
  readonly checkedAt: string;
  readonly chains: readonly ChainStatus[];
}

const chainStatus = (value: unknown, where: string): ChainStatus => {
  const o = object(value, where);
  return {
    chain: str(o, 'chain', where),
    valid: bool(o, 'valid', where),
    checkedEntries: int(o, 'checkedEntries', where),
    firstBrokenEntry: optStr(o, 'firstBrokenEntry', where),
    reason: optStr(o, 'reason', where),
  };
};

export function auditChainStatus(value: unknown, where: string): AuditChainStatus {
  const o = object(value, where);
  return {
    valid: bool(o, 'valid', where),
    checkedEntries: int(o, 'checkedEntries', where),
    firstBrokenEntry: optStr(o, 'firstBrokenEntry', where),
    reason: optStr(o, 'reason', where),
    checkedAt: str(o, 'checkedAt', where),
    chains: list(o, 'chains', where, chainStatus),
  };
}

export interface AuditCheckpoint {
  readonly chain: string;
  readonly entryCount: number;
  readonly headHash: string;
  readonly at: string;
  readonly keyId: string;
  readonly signature: string;
}

export function auditCheckpoint(value: unknown, where: string): AuditCheckpoint {
  const o: JsonObject = object(value, where);
  return {
    chain: str(o, 'chain', where),
    entryCount: int(o, 'entryCount', where),
    headHash: str(o, 'headHash', where),
    at: str(o, 'at', where),
    keyId: str(o, 'keyId', where),
    signature: str(o, 'signature', where),
  };
}

/**
 * Each decoded shape must accept what the console's operations select (their types generated
 * from console/operations/*.graphql into generated-operations.ts): a field decoded here that no
 * operation asks for, or that the schema types otherwise, is a compile error. The decoders stay
 * because the console checks the JSON it receives at run time.
 */
type Accepts<Decoded, Selected extends Decoded> = Selected;
type Item<List> = List extends ReadonlyArray<infer T> ? T : never;
export type SelectedShapes = [
  Accepts<AccessEvent, ConsoleAccessEventFragment>,
  Accepts<OrgDayCount, Item<ConsoleSummariesQuery['accessesPerOrgPerDay']>>,
  Accepts<RuleCount, Item<ConsoleSummariesQuery['denialsByRule']>>,
  Accepts<CategoryCount, Item<ConsoleSummariesQuery['redactionsByCategory']>>,
  Accepts<AuditCheckpoint, Item<ConsoleCheckpointsQuery['auditCheckpoints']>>,
  Accepts<ChainStatus, Item<ConsoleVerifyChainQuery['auditChainStatus']['chains']>>,
];
