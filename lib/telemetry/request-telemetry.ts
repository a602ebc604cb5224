import type { IncomingHttpHeaders } from 'node:http';
import { SpanKind, SpanStatusCode, trace, ROOT_CONTEXT, type Attributes, type Context, type Span } from '@opentelemetry/api';
import { TributaryError } from '../errors.js';
import type { ServiceMetrics } from './metrics.js';
import { UNKNOWN_OPERATION } from './operation-labels.js';
import type { ServiceTracing } from './tracing.js';

/** The span attribute that ties a span to the request id clients and audit entries quote. */
export const REQUEST_ID_ATTRIBUTE = 'tributary.request_id';
/** What a request that answered without errors is counted as. */
export const OK_OUTCOME = 'ok';
/** Several operations in one HTTP request are counted under this operation name. */
export const BATCH_OPERATION = 'batch';

/** The code an error is counted under: its own when it is ours, else the masked internal error. */
export const codeOf = (error: unknown): string => (error instanceof TributaryError ? error.code : 'INTERNAL_SERVER_ERROR');

/**
 * What one GraphQL request tells the service's metrics and traces. Made by serveHttp for every
 * GraphQL request and carried in the request context: the plugin names the operation and its
 * outcome, the access funnel and the gateway's fetches hang their spans from it, and serveHttp
 * counts the request once it is answered.
 *
 * With tracing off (`OTEL_EXPORTER_OTLP_ENDPOINT` unset) `tracing` is undefined and every span
 * helper is a null check: no span, no context, no allocation.
 */
export class RequestTelemetry {
  /** The operation's bounded label, once Apollo has resolved it. */
  private operation: string | undefined;
  /** `ok`, or the code of the first error the client got. */
  private outcome: string | undefined;
  private readonly startedAt = performance.now();
  private readonly span: Span | undefined;
  /** Parent of the spans this request starts (its execution span once execution began). */
  private parent: Context | undefined;
  private executionSpan: Span | undefined;
  private executionDone = false;
  /** When execution began (epoch ms), where the gateway's planning span starts. */
  private executionStartedAt = 0;

  constructor(
    readonly metrics: ServiceMetrics,
    private readonly tracing: ServiceTracing | undefined,
    readonly requestId: string,
    headers: IncomingHttpHeaders,
  ) {
    if (tracing) {
      this.span = tracing.startRequest(headers, { [REQUEST_ID_ATTRIBUTE]: requestId, 'tributary.service': metrics.service });
      this.parent = trace.setSpan(ROOT_CONTEXT, this.span);
    }
  }

  get tracingOn(): boolean {
    return this.span !== undefined;
  }

  /** Apollo resolved the operation (once per operation; a batch has several). */
  named(operationName: string | null | undefined, type: string | undefined): void {
    const label = this.metrics.operations.label(operationName);
    this.operation = this.operation === undefined || this.operation === label ? label : BATCH_OPERATION;
    if (this.span) {
      this.span.setAttribute('graphql.operation.name', label);
      if (type) this.span.setAttribute('graphql.operation.type', type);
    }
  }

  /** The codes of the errors one operation's answer carries; the request's outcome is the first. */
  answered(codes: readonly string[]): void {
    for (const code of codes) this.metrics.errors.inc({ code });
    if (this.outcome === undefined || this.outcome === OK_OUTCOME) this.outcome = codes[0] ?? OK_OUTCOME;
  }

  /** Refused before any operation ran (no token, rate limited, too large, at capacity). */
  refused(code: string): void {
    this.answered([code]);
  }

  /** Execution began: the gateway's plan and fetches, the subgraph's releases are its children. */
  executionStarted(): void {
    if (!this.tracing || !this.parent || this.executionSpan) return;
    this.executionStartedAt = performance.timeOrigin + performance.now();
    this.executionSpan = this.tracing.start('graphql.execute', this.parent, { [REQUEST_ID_ATTRIBUTE]: this.requestId }, SpanKind.INTERNAL, this.executionStartedAt);
    this.parent = trace.setSpan(this.parent, this.executionSpan);
  }

  /** The gateway has its query plan: planning (and the gateway's own validation) ran since execution began. */
  planned(): void {
    if (!this.executionSpan || this.executionDone) return;
    this.startSpan('gateway.plan', {}, undefined, SpanKind.INTERNAL, this.executionStartedAt)?.end();
  }

  executionEnded(): void {
    if (this.executionDone) return;
    this.executionDone = true;
    this.executionSpan?.end();
  }

  /**
   * A span under this request, or undefined when tracing is off. Attributes are counts, names
   * and rule ids: never record contents, subjects or anything a person could be found by.
   */
  startSpan(name: string, attributes: Attributes = {}, parent?: Span, kind: SpanKind = SpanKind.INTERNAL, startTime?: number): Span | undefined {
    if (!this.tracing || !this.parent) return undefined;
    const context = parent ? trace.setSpan(this.parent, parent) : this.parent;
    return this.tracing.start(name, context, { [REQUEST_ID_ATTRIBUTE]: this.requestId, ...attributes }, kind, startTime);
  }

  /** W3C trace headers for a call to another service made under `span`. */
  propagate(span: Span | undefined, set: (name: string, value: string) => void): void {
    if (span && this.tracing) this.tracing.inject(span, set);
  }

  /** Counts the request and ends its span: called once, when its answer has been sent. */
  finished(status: number): void {
    const seconds = (performance.now() - this.startedAt) / 1000;
    const operation = this.operation ?? UNKNOWN_OPERATION;
    const outcome = this.outcome ?? (status < 400 ? OK_OUTCOME : `HTTP_${status}`);
    this.metrics.requests.inc({ operation, outcome });
    this.metrics.requestDuration.observe({ operation, outcome }, seconds);
    if (this.span) {
      this.span.setAttribute('http.response.status_code', status);
      this.span.setAttribute('tributary.outcome', outcome);
      if (outcome !== OK_OUTCOME) this.span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
      this.executionEnded();
      this.span.end();
    }
  }
}

/** Ends `span` (if any) with the outcome of `work`: the code of its error, never its message. */
export async function inSpan<T>(span: Span | undefined, work: () => Promise<T>): Promise<T> {
  if (!span) return work();
  try {
    return await work();
  } catch (error) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: codeOf(error) });
    throw error;
  } finally {
    span.end();
  }
}
