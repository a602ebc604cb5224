import type { IncomingHttpHeaders } from 'node:http';
import type { ServiceName } from '../domain.js';
import { ServiceMetrics } from './metrics.js';
import { RequestTelemetry } from './request-telemetry.js';
import { ServiceTracing } from './tracing.js';

/**
 * Metrics and (when configured) traces of one service. One per service, never per process: each
 * service's `/metrics` and `service.name` are its own even when `npm start` runs all six in one
 * process.
 */
export class ServiceTelemetry {
  readonly metrics: ServiceMetrics;
  /** Undefined unless OTEL_EXPORTER_OTLP_ENDPOINT is set: then nothing is traced at all. */
  readonly tracing: ServiceTracing | undefined;

  constructor(service: ServiceName, otlpEndpoint: string | undefined) {
    this.metrics = new ServiceMetrics(service);
    this.tracing = otlpEndpoint === undefined ? undefined : new ServiceTracing(service, otlpEndpoint);
  }

  /** What one GraphQL request reports (its server span starts now when tracing is on). */
  request(requestId: string, headers: IncomingHttpHeaders): RequestTelemetry {
    return new RequestTelemetry(this.metrics, this.tracing, requestId, headers);
  }

  /** Exports the spans still buffered (a service's graceful shutdown). */
  async flush(): Promise<void> {
    await this.tracing?.flush();
  }

  async shutdown(): Promise<void> {
    await this.tracing?.shutdown();
  }
}
