import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ServiceName } from '../domain.js';
import { OperationLabels } from './operation-labels.js';

/**
 * Seconds. Requests span a cached 1 ms answer to a 500-record page of several seconds; an
 * audit commit is one fsync (about a millisecond) to the append timeout (5 s).
 */
const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const COMMIT_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5];

/**
 * The Prometheus metrics of one service, in a registry of its own: `npm start` and the tests run
 * every service in one process, and each service's `/metrics` shows its own counters, so nothing
 * here may use prom-client's global default registry.
 *
 * Labels are bounded sets, never ids or subjects: operation names (capped, see
 * OperationLabels), error codes, rule ids (the policy set's), decisions, field categories,
 * subgraph names, outcomes. That is what lets `/metrics` be served without authentication.
 *
 * Not here yet, on purpose: the audit index lag (`tributary_audit_index_lag_seconds`). The
 * off-path audit index does not exist yet; the work that adds it adds its gauge here (a `Gauge`
 * with a `collect()` that reads the lag), rather than a value made up today.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  readonly operations = new OperationLabels();

  /** Every GraphQL request answered, by operation and outcome (`ok` or the first error's code). */
  readonly requests = this.counter('tributary_requests_total', 'GraphQL requests answered', ['operation', 'outcome']);
  readonly requestDuration = this.histogram('tributary_request_duration_seconds', 'Time to answer a GraphQL request', ['operation', 'outcome'], REQUEST_BUCKETS);
  /** Every error sent to a client, by its `extensions.code`. */
  readonly errors = this.counter('tributary_errors_total', 'Errors sent to clients', ['code']);
  /** Records (and writes, audit reads) decided by the access funnel, by the rule behind each decision. */
  readonly policyDecisions = this.counter('tributary_policy_decisions_total', 'Access decisions by rule id and decision', ['rule', 'decision']);
  /** Fields withheld from released records, by the category policies grant them under. */
  readonly redactions = this.counter('tributary_redactions_total', 'Fields withheld, by field category', ['category']);
  readonly auditAppendDuration = this.histogram('tributary_audit_append_duration_seconds', 'Time of one audit commit (a group of appends)', ['outcome'], COMMIT_BUCKETS);
  readonly auditEntries = this.counter('tributary_audit_entries_appended_total', 'Audit entries durably appended', []);
  readonly auditCommits = this.counter('tributary_audit_commits_total', 'Audit commits (each carries one or more appends)', ['outcome']);
  /** Gateway only: requests refused by the per-subject or per-org rate limit. */
  readonly rateLimitRefusals = this.counter('tributary_rate_limit_refusals_total', 'Requests refused by a rate limit', ['limit']);
  /** Gateway only: requests refused by admission control (at capacity). */
  readonly admissionRefusals = this.counter('tributary_admission_refusals_total', 'Requests refused by admission control', ['code']);
  /** Gateway only: each fetch of a query plan from a subgraph. */
  readonly subgraphDuration = this.histogram(
    'tributary_subgraph_request_duration_seconds',
    'Time of one subgraph fetch from the gateway',
    ['subgraph', 'outcome'],
    REQUEST_BUCKETS,
  );

  /**
   * Subgraphs only: the age of each copy of another agency's policy facts this service reads
   * (now minus the owner's replicated heartbeat), by owner; -1 before the first heartbeat
   * arrived. Beyond FACTS_MAX_LAG_MS the copy's facts read as the most restrictive value.
   * Absent when every owner shares this service's database (no copy, no lag).
   */
  private factCopies: (() => readonly { readonly owner: string; readonly lagSeconds: number | null }[]) | undefined;
  readonly factCopyLag = new Gauge({
    name: 'tributary_fact_copy_lag_seconds',
    help: "Age of this service's copy of another agency's policy facts (-1: no heartbeat yet)",
    labelNames: ['owner'],
    registers: [this.registry],
    collect: () => {
      this.factCopyLag.reset();
      for (const copy of this.factCopies?.() ?? []) this.factCopyLag.set({ owner: copy.owner }, copy.lagSeconds ?? -1);
    },
  });

  /** Where the fact-copy gauge reads its values (lib/facts/monitor.ts, through the runtime). */
  observeFactCopies(source: () => readonly { readonly owner: string; readonly lagSeconds: number | null }[]): void {
    this.factCopies = source;
  }

  constructor(readonly service: ServiceName) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
  }

  /** The audit writer's observer (lib/audit/writer.ts): called once per commit, never per entry. */
  readonly auditCommit = (outcome: 'ok' | 'failed', entries: number, seconds: number): void => {
    this.auditCommits.inc({ outcome });
    this.auditAppendDuration.observe({ outcome }, seconds);
    if (outcome === 'ok') this.auditEntries.inc(entries);
  };

  /** The exposition text for `/metrics`. */
  async text(): Promise<{ readonly contentType: string; readonly body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  private histogram<L extends string>(name: string, help: string, labelNames: readonly L[], buckets: number[]): Histogram<L> {
    return new Histogram({ name, help, labelNames, buckets, registers: [this.registry] });
  }
}
