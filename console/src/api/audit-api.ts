import { GatewayClient } from './client.js';
import { DecodeError, list, object } from './decode.js';
import { consoleOperation } from './operations.js';
import {
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

// Named operations (console/operations/): each read of the log leaves an AUDIT_READ entry carrying its name.
const ACCESS_LOG = consoleOperation('ConsoleAccessLog');
const PERSON_HISTORY = consoleOperation('ConsolePersonHistory');
const SUMMARIES = consoleOperation('ConsoleSummaries');
const ANOMALIES = consoleOperation('ConsoleAnomalies');
const CHAIN_STATUS = consoleOperation('ConsoleVerifyChain');
const CHECKPOINTS = consoleOperation('ConsoleCheckpoints');
const PROOF = consoleOperation('ConsoleAccessEventProof');
/** The cheapest auditor-only read: proves a token is an auditor's before the console opens. */
const SIGN_IN = consoleOperation('ConsoleSignIn');

const field = (name: string) => (data: unknown): unknown => object(data, 'data')[name];

/** The audit API of the gateway (schema/audit.graphql), typed. */
export class AuditApi {
  constructor(private readonly client: GatewayClient) {}

  async signIn(): Promise<void> {
    await this.client.request(SIGN_IN, (data) => object(data, 'data'));
  }

  accessLog(filter: AccessLogFilterInput, first: number, after: string | null): Promise<Page<AccessEvent>> {
    return this.client.request({ ...ACCESS_LOG, variables: { filter, first, after } }, (data) => accessEventPage(field('accessLog')(data), 'accessLog'));
  }

  personHistory(personId: string, range: RangeInput, first: number, after: string | null): Promise<Page<AccessEvent>> {
    return this.client.request({ ...PERSON_HISTORY, variables: { personId, ...range, first, after } }, (data) =>
      accessEventPage(field('personAccessHistory')(data), 'personAccessHistory'),
    );
  }

  summaries(range: RangeInput): Promise<Summaries> {
    return this.client.request({ ...SUMMARIES, variables: { ...range } }, (data) => summaries(data, 'data'));
  }

  anomalies(range: RangeInput): Promise<readonly Anomaly[]> {
    return this.client.request({ ...ANOMALIES, variables: { ...range } }, (data) => list(object(data, 'data'), 'auditAnomalies', 'data', anomaly));
  }

  verifyChain(): Promise<AuditChainStatus> {
    return this.client.request(CHAIN_STATUS, (data) => auditChainStatus(field('auditChainStatus')(data), 'auditChainStatus'));
  }

  /** An entry's inclusion proof as JSON text; null when there is no such entry. */
  accessEventProof(id: string): Promise<string | null> {
    return this.client.request({ ...PROOF, variables: { id } }, (data) => {
      const proof = field('accessEventProof')(data);
      if (proof !== null && typeof proof !== 'string') throw new DecodeError('accessEventProof: expected a string or null');
      return proof;
    });
  }

  checkpoints(): Promise<readonly AuditCheckpoint[]> {
    return this.client.request(CHECKPOINTS, (data) => list(object(data, 'data'), 'auditCheckpoints', 'data', auditCheckpoint));
  }
}
