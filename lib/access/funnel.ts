import { auditSubjectOf, type AuditDecision, type AuditEntryInput, type AuditSubject, type AuditWriter } from '../audit/index.js';
import type { GraphQLResolveInfo } from 'graphql';
import type { Span } from '@opentelemetry/api';
import type { Sql } from '../store/sql.js';
import type { AccessRequest, ColumnMap, PolicyEngine, PolicyRecord, RecordDecision, Relation, Verdict, WriteAction } from './decision.js';
import type { RecordType, ServiceName } from '../domain.js';
import { TributaryError } from '../errors.js';
import { inSpan, type RequestTelemetry } from '../telemetry/index.js';
import { categoryOf } from './fields.js';
import { markReleased, type Released } from './released.js';
import { selectedFields } from './selection.js';

/**
 * The rule id quoted when a new record would reach beyond its author's jurisdictions. The
 * condition (every jurisdiction of the record is one the author holds) is a subset test the
 * policy language has no operator for, so the funnel applies it to every created record.
 */
export const OWN_JURISDICTIONS = 'writes.own-jurisdictions';

/** Who asked, for which request: copied into every audit entry this request leaves. */
export interface AuditScope {
  readonly requestId: string;
  readonly operationName: string | null;
  readonly operationHash: string | null;
  readonly justification: string | null;
  readonly service: ServiceName;
}

/** One record to release, with the fields the query selected of it. */
export interface ReleaseItem<R> {
  readonly record: R;
  readonly fields: readonly string[];
  readonly relation?: Relation | undefined;
}

/**
 * The one access funnel. Every record a resolver returns passes `release`: the policy engine
 * decides, the audit writer commits an entry per record, and only then is the record handed
 * back, marked with its decision so the field guard can withhold denied fields.
 *
 * Fail closed: when the audit append rejects, nothing is released (the error propagates as
 * AUDIT_UNAVAILABLE).
 */
export class AccessFunnel {
  private subject: AuditSubject | undefined;

  constructor(
    private readonly policy: PolicyEngine,
    private readonly audit: AuditWriter,
    readonly request: AccessRequest,
    private readonly scope: AuditScope,
    /** Decisions and redactions are counted, and releases traced, here (absent in unit tests). */
    private readonly telemetry?: RequestTelemetry,
  ) {}

  /** The SQL condition that keeps exactly the records of `type` this request may see. */
  visibleWhere(type: RecordType, columns: ColumnMap): Sql {
    return this.policy.listFilter(this.request, type, columns);
  }

  async release<T extends RecordType, R extends PolicyRecord<T>>(
    type: T,
    items: readonly ReleaseItem<R>[],
  ): Promise<(Released<R> | null)[]> {
    if (items.length === 0) return [];
    // One pass: each record is decided and gets its entry; a page of 500 records allocates
    // nothing per record beyond its entry and, once the audit has committed, its release.
    // Metrics count per distinct outcome (a handful per page), not per record.
    const decisions: RecordDecision[] = new Array<RecordDecision>(items.length);
    const entries: AuditEntryInput[] = new Array<AuditEntryInput>(items.length);
    const tally = this.telemetry ? new Map<Outcome, number>() : undefined;
    for (let i = 0; i < items.length; i++) {
      const item = items[i] as ReleaseItem<R>;
      const decision = this.policy.decide(this.request, type, item.record, item.relation);
      const outcome = outcomeOf(decision, item.fields);
      decisions[i] = decision;
      entries[i] = this.readEntry(type, item, decision, outcome);
      if (tally) tally.set(outcome, (tally.get(outcome) ?? 0) + 1);
    }
    const span = tally ? this.countReleases(type, items.length, tally) : undefined;
    await inSpan(span, () => this.commit(entries, span));
    const released: (Released<R> | null)[] = new Array<Released<R> | null>(items.length);
    for (let i = 0; i < items.length; i++) {
      const decision = decisions[i] as RecordDecision;
      released[i] = decision.visible ? markReleased((items[i] as ReleaseItem<R>).record, decision) : null;
    }
    return released;
  }

  /**
   * The record a mutation just wrote, back through the funnel with the fields the mutation
   * selects. The write has happened when this runs, so a record the caller may not read
   * afterwards is not bad input (that would invite a retry and a duplicate): it is REDACTED,
   * without a rule id, because the rule (1367 protection, say) would itself disclose something.
   */
  async releaseWritten<T extends RecordType, R extends PolicyRecord<T>>(type: T, record: R, info: GraphQLResolveInfo): Promise<Released<R>> {
    const [released] = await this.release(type, [{ record, fields: selectedFields(info, type) }]);
    if (!released) throw new TributaryError('REDACTED', `The ${type} ${record.id} was saved, but it is not visible to you`);
    return released;
  }

  /**
   * Rule 9 gate for a write. Leaves an audit entry either way; throws FORBIDDEN when denied.
   * Call it before writing, with the record as it would be after the write.
   */
  async authorizeWrite<T extends RecordType>(action: WriteAction, type: T, record: PolicyRecord<T>): Promise<void> {
    await this.settleWrite(action, type, record, this.policy.canWrite(this.request, action, type, record));
  }

  /**
   * `authorizeWrite` for a record the write creates, which must also lie within its author's
   * jurisdictions (SPEC 5, "Writes are confined to the author's jurisdictions"): every
   * jurisdiction stamped on it is one the author holds. Refused as FORBIDDEN under rule
   * `writes.own-jurisdictions` and audited like any write refusal. Rule 9 is asked first, so a
   * caller who may not write such a record at all hears that, not where.
   */
  async authorizeNewRecord<T extends RecordType>(action: WriteAction, type: T, record: PolicyRecord<T>): Promise<void> {
    const verdict = this.policy.canWrite(this.request, action, type, record);
    const held = this.request.principal.jurisdictions;
    const outside = record.jurisdictions.filter((jurisdiction) => !held.includes(jurisdiction));
    if (!verdict.allowed || outside.length === 0) return this.settleWrite(action, type, record, verdict);
    const where = `${outside.join(', ')} lies outside`;
    const yours = `(${held.join(', ') || 'none'})`;
    await this.settleWrite(
      action,
      type,
      record,
      { allowed: false, rule: OWN_JURISDICTIONS, reason: `${where} the author's jurisdictions ${yours}` },
      `Not allowed to ${action} this ${type}: ${where} your jurisdictions ${yours} (rule ${OWN_JURISDICTIONS})`,
    );
  }

  /**
   * Counts one batch's decisions by rule and its withheld fields by category, and opens its
   * span (tracing on): record type and counts only, never a record's id or contents.
   */
  private countReleases(type: RecordType, records: number, tally: ReadonlyMap<Outcome, number>): Span | undefined {
    const telemetry = this.telemetry;
    if (!telemetry) return undefined;
    for (const [outcome, count] of tally) {
      for (const rule of outcome.rules) telemetry.metrics.policyDecisions.inc({ rule, decision: outcome.decision }, count);
      for (const field of outcome.redacted) telemetry.metrics.redactions.inc({ category: categoryOf(type, field) ?? 'UNCLASSIFIED' }, count);
    }
    if (!telemetry.tracingOn) return undefined;
    const byDecision: Record<AuditDecision, number> = { ALLOW: 0, PARTIAL: 0, DENY: 0 };
    const rules = new Set<string>();
    for (const [outcome, count] of tally) {
      byDecision[outcome.decision] += count;
      for (const rule of outcome.rules) rules.add(rule);
    }
    return telemetry.startSpan('access.release', {
      'tributary.record_type': type,
      'tributary.records': records,
      'tributary.decisions.allow': byDecision.ALLOW,
      'tributary.decisions.partial': byDecision.PARTIAL,
      'tributary.decisions.deny': byDecision.DENY,
      'tributary.rules': [...rules],
    });
  }

  /** The audit append, as a span of its own under `parent` when tracing is on. */
  private commit(entries: readonly AuditEntryInput[], parent?: Span): Promise<void> {
    const span = this.telemetry?.startSpan('audit.append', { 'tributary.audit_entries': entries.length }, parent);
    return inSpan(span, () => this.audit.append(entries));
  }

  /** A write's or an audit read's single decision, counted like a release's. */
  private countVerdict(verdict: Verdict): void {
    this.telemetry?.metrics.policyDecisions.inc({ rule: verdict.rule, decision: verdict.allowed ? 'ALLOW' : 'DENY' });
  }

  private async settleWrite<T extends RecordType>(
    action: WriteAction,
    type: T,
    record: PolicyRecord<T>,
    verdict: Verdict,
    refusal = `Not allowed to ${action} this ${type} (rule ${verdict.rule})`,
  ): Promise<void> {
    this.countVerdict(verdict);
    await this.commit([
      this.entry({
        action: 'WRITE',
        recordType: type,
        recordId: record.id,
        ownerOrg: record.ownerOrg,
        personId: personIdOf(type, record),
        fieldsReleased: [],
        fieldsRedacted: [],
        decision: verdict.allowed ? 'ALLOW' : 'DENY',
        rules: [verdict.rule],
        reason: `${action}: ${verdict.reason}`,
      }),
    ]);
    if (!verdict.allowed) throw new TributaryError('FORBIDDEN', refusal, { details: { rule: verdict.rule } });
  }

  /**
   * Rule 8 gate for the audit log: every read of it leaves an entry of its own (what was
   * asked, how many entries it returned); throws FORBIDDEN for anyone but auditors.
   */
  async authorizeAuditRead(what: string): Promise<void> {
    const verdict = this.policy.canReadAuditLog(this.request);
    this.countVerdict(verdict);
    await this.commit([
      this.entry({
        action: 'AUDIT_READ',
        recordType: null,
        recordId: null,
        ownerOrg: null,
        personId: null,
        fieldsReleased: [],
        fieldsRedacted: [],
        decision: verdict.allowed ? 'ALLOW' : 'DENY',
        rules: [verdict.rule],
        reason: `${what}: ${verdict.reason}`,
      }),
    ]);
    if (!verdict.allowed) {
      throw new TributaryError('FORBIDDEN', `Only auditors may read the access log (rule ${verdict.rule})`, { details: { rule: verdict.rule } });
    }
  }

  /** A READ entry, written out in one literal: `entry` would build and spread a second object per record. */
  private readEntry<T extends RecordType>(type: T, item: ReleaseItem<PolicyRecord<T>>, decision: RecordDecision, outcome: Outcome): AuditEntryInput {
    const { scope } = this;
    return {
      requestId: scope.requestId,
      operationName: scope.operationName,
      operationHash: scope.operationHash,
      subject: this.auditSubject(),
      purpose: this.request.purpose,
      justification: scope.justification,
      service: scope.service,
      action: 'READ',
      recordType: type,
      recordId: item.record.id,
      ownerOrg: item.record.ownerOrg,
      personId: personIdOf(type, item.record),
      fieldsReleased: outcome.released,
      fieldsRedacted: outcome.redacted,
      decision: outcome.decision,
      rules: outcome.rules,
      reason: decision.reason,
    };
  }

  /** One subject per request, shared by its entries (the writer copies what it stores). */
  private auditSubject(): AuditSubject {
    const { principal } = this.request;
    this.subject ??= auditSubjectOf(principal);
    return this.subject;
  }

  private entry(
    fields: Pick<
      AuditEntryInput,
      'action' | 'recordType' | 'recordId' | 'ownerOrg' | 'personId' | 'fieldsReleased' | 'fieldsRedacted' | 'decision' | 'rules' | 'reason'
    >,
  ): AuditEntryInput {
    return {
      requestId: this.scope.requestId,
      operationName: this.scope.operationName,
      operationHash: this.scope.operationHash,
      subject: this.auditSubject(),
      purpose: this.request.purpose,
      justification: this.scope.justification,
      service: this.scope.service,
      ...fields,
    };
  }
}

/** What a READ entry says about the fields: the same for every record with the same decision and selection. */
interface Outcome {
  readonly released: readonly string[];
  readonly redacted: readonly string[];
  readonly decision: AuditDecision;
  readonly rules: readonly string[];
}

/**
 * Outcomes by decision and selection. The policy engine hands records with the same facts the
 * same decision object, and a page's records share one selection array, so a page of 500
 * records computes its outcome a handful of times instead of 500. Weak: it lives as long as
 * the decisions (one request's).
 */
const outcomes = new WeakMap<RecordDecision, WeakMap<readonly string[], Outcome>>();

function outcomeOf(decision: RecordDecision, fields: readonly string[]): Outcome {
  let byFields = outcomes.get(decision);
  if (!byFields) {
    byFields = new WeakMap();
    outcomes.set(decision, byFields);
  }
  let outcome = byFields.get(fields);
  if (!outcome) {
    outcome = computeOutcome(decision, fields);
    byFields.set(fields, outcome);
  }
  return outcome;
}

function computeOutcome(decision: RecordDecision, fields: readonly string[]): Outcome {
  const released: string[] = [];
  const redacted: string[] = [];
  // The rules quoted are those behind what this query actually got: for a visible record, the
  // verdict of each field it selected; for a withheld one (or one read for its id alone), the
  // record-level decision. Rules about fields nobody asked for would mislead an auditor.
  const rules = new Set<string>();
  if (decision.visible) {
    for (const field of fields) {
      const verdict = decision.field(field);
      (verdict.allowed ? released : redacted).push(field);
      rules.add(verdict.rule);
    }
  }
  if (rules.size === 0) for (const rule of decision.rules) rules.add(rule);
  return {
    released,
    redacted: decision.visible ? redacted : [...fields],
    decision: !decision.visible ? 'DENY' : redacted.length > 0 ? 'PARTIAL' : 'ALLOW',
    rules: [...rules],
  };
}

/** The person a record is about, so auditors can ask "who saw this person's records". */
function personIdOf(type: RecordType, record: PolicyRecord): string | null {
  if (type === 'Person') return record.id;
  // A plain read (absent reads as undefined): `in` over records of every shape was a visible
  // share of building a page's entries.
  const { personId } = record as { readonly personId?: unknown };
  return typeof personId === 'string' ? personId : null;
}
