import type { IncomingHttpHeaders } from 'node:http';
import { ROOT_CONTEXT, SpanKind, trace, type Attributes, type Context, type Span, type TextMapGetter, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ServiceName } from '../domain.js';

const propagator = new W3CTraceContextPropagator();

/** Reads `traceparent`/`tracestate` from node's lower-cased header record. */
const headerGetter: TextMapGetter<IncomingHttpHeaders> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => carrier[key.toLowerCase()],
};

/**
 * The OpenTelemetry tracing of one service: its own provider (service.name = the service) and
 * exporter, never the global API's. `npm start` and the tests run every service in one process;
 * a global provider would give them all one service name, and a global context manager would
 * cost every request an AsyncLocalStorage hop even for services that trace nothing. So spans
 * are parented explicitly: each request's trace context travels in its RequestTelemetry.
 */
export class ServiceTracing {
  private readonly provider: BasicTracerProvider;
  private readonly tracer: Tracer;

  constructor(
    readonly service: ServiceName,
    endpoint: string,
  ) {
    // The standard variable names the collector's base URL; OTLP/HTTP traces go to /v1/traces.
    const exporter = new OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, '')}/v1/traces` });
    this.provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': `tributary-${service}`, 'service.namespace': 'tributary' }),
      spanProcessors: [new BatchSpanProcessor(exporter)],
    });
    this.tracer = this.provider.getTracer('tributary');
  }

  /**
   * The server span of one incoming request: a child of the caller's `traceparent` when it sent
   * one (the gateway does, for every subgraph fetch), otherwise the root of a new trace.
   */
  startRequest(headers: IncomingHttpHeaders, attributes: Attributes): Span {
    const parent = propagator.extract(ROOT_CONTEXT, headers, headerGetter);
    return this.tracer.startSpan('tributary.request', { kind: SpanKind.SERVER, attributes }, parent);
  }

  start(name: string, parent: Context, attributes: Attributes = {}, kind: SpanKind = SpanKind.INTERNAL, startTime?: number): Span {
    return this.tracer.startSpan(name, { kind, attributes, ...(startTime === undefined ? {} : { startTime }) }, parent);
  }

  /** W3C `traceparent` (and `tracestate`) naming `span` as the parent of what the callee does. */
  inject(span: Span, set: (name: string, value: string) => void): void {
    propagator.inject(trace.setSpan(ROOT_CONTEXT, span), undefined, { set: (_carrier, name, value) => set(name, value) });
  }

  /** Sends what is buffered (graceful shutdown: the last requests' spans are not lost). */
  flush(): Promise<void> {
    return this.provider.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.provider.shutdown();
  }
}
