import { GatewayClient } from './client.js';
import { list, object } from './decode.js';
import {
  ACCESS_EVENT_FIELDS,
  accessEventPage,
  anomaly,
  auditChainStatus,
  auditCheckpoint,
  summaries,
  type AccessEvent,
  type Anomaly,
  type AuditChainStatus,
  type AuditCheckpoint,
  type Page,
  type Summaries,
} from './types.js';
import type { AccessLogFilterInput } from '../log-filter.js';

/** A time window as the API takes it: ISO instants, `from` inclusive, `to` exclusive. */
export interface RangeInput {
  readonly from?: string;
  readonly to?: string;
}

/** The largest page the API serves (SPEC 8). */
export const MAX_PAGE_SIZE = 500;

// Named operations: each read of the log leaves an AUDIT_READ entry carrying its name.
const ACCESS_LOG = `query ConsoleAccessLog($filter: AccessLogFilter, $first: Int, $after: String) {
  accessLog(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { ${ACCESS_EVENT_FIELDS} } }
  }
}`;

const PERSON_HISTORY = `query ConsolePersonHistory($personId: ID!, $from: DateTime, $to: DateTime, $first: Int, $after: String) {
  personAccessHistory(personId: $personId, from: $from, to: $to, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { ${ACCESS_EVENT_FIELDS} } }
  }
}`;

const SUMMARIES = `query ConsoleSummaries($from: DateTime, $to: DateTime) {
  accessesPerOrgPerDay(from: $from, to: $to) { org day count }
  denialsByRule(from: $from, to: $to) { rule count }
  redactionsByCategory(from: $from, to: $to) { category count fromReleasedRecords fromDeniedRecords }
}`;

const ANOMALIES = `query ConsoleAnomalies($from: DateTime, $to: DateTime) {
  auditAnomalies(from: $from, to: $to) {
    kind check subjectSub subjectOrg agency count firstAt lastAt explanation examples { ${ACCESS_EVENT_FIELDS} }
  }
}`;

const CHAIN_STATUS = `query ConsoleVerifyChain {
  auditChainStatus { valid checkedEntries firstBrokenEntry reason checkedAt chains { chain valid checkedEntries firstBrokenEntry reason } }
}`;

const CHECKPOINTS = `query ConsoleCheckpoints { auditCheckpoints { chain entryCount headHash at keyId signature } }`;

/** The cheapest auditor-only read: proves a token is an auditor's before the console opens. */
const SIGN_IN = `query ConsoleSignIn { auditCheckpoints { chain } }`;

const field = (name: string) => (data: unknown): unknown => object(data, 'data')[name];

/** The audit API of the gateway (schema/audit.graphql), typed. */
export class AuditApi {
  constructor(private readonly client: GatewayClient) {}

  async signIn(): Promise<void> {
    await this.client.request({ query: SIGN_IN }, (data) => object(data, 'data'));
  }

  accessLog(filter: AccessLogFilterInput, first: number, after: string | null): Promise<Page<AccessEvent>> {
    return this.client.request({ query: ACCESS_LOG, variables: { filter, first, after } }, (data) => accessEventPage(field('accessLog')(data), 'accessLog'));
  }

  personHistory(personId: string, range: RangeInput, first: number, after: string | null): Promise<Page<AccessEvent>> {
    return this.client.request({ query: PERSON_HISTORY, variables: { personId, ...range, first, after } }, (data) =>
      accessEventPage(field('personAccessHistory')(data), 'personAccessHistory'),
    );
  }

  summaries(range: RangeInput): Promise<Summaries> {
    return this.client.request({ query: SUMMARIES, variables: { ...range } }, (data) => summaries(data, 'data'));
  }

  anomalies(range: RangeInput): Promise<readonly Anomaly[]> {
    return this.client.request({ query: ANOMALIES, variables: { ...range } }, (data) => list(object(data, 'data'), 'auditAnomalies', 'data', anomaly));
  }

  verifyChain(): Promise<AuditChainStatus> {
    return this.client.request({ query: CHAIN_STATUS }, (data) => auditChainStatus(field('auditChainStatus')(data), 'auditChainStatus'));
  }

  checkpoints(): Promise<readonly AuditCheckpoint[]> {
    return this.client.request({ query: CHECKPOINTS }, (data) => list(object(data, 'data'), 'auditCheckpoints', 'data', auditCheckpoint));
  }
}
