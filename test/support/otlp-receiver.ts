import { createServer, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';

/** One exported span, flattened from OTLP/HTTP JSON (resourceSpans → scopeSpans → spans). */
export interface ReceivedSpan {
  readonly service: string;
  readonly traceId: string;
  readonly spanId: string;
  /** Empty for a trace's root. */
  readonly parentSpanId: string;
  readonly name: string;
  readonly attributes: Readonly<Record<string, unknown>>;
}

export interface OtlpReceiver {
  /** The base URL, as OTEL_EXPORTER_OTLP_ENDPOINT would name a collector. */
  readonly endpoint: string;
  readonly spans: readonly ReceivedSpan[];
  /** Every request body as received: what a check for leaked data reads. */
  readonly bodies: readonly string[];
  close(): Promise<void>;
}

const record = (value: unknown): Record<string, unknown> => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {});
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** An OTLP AnyValue ({ stringValue } | { intValue } | { arrayValue: { values } } …) as a plain value. */
function anyValue(value: unknown): unknown {
  const wrapped = record(value);
  if ('stringValue' in wrapped) return wrapped.stringValue;
  if ('intValue' in wrapped) return Number(wrapped.intValue);
  if ('doubleValue' in wrapped) return wrapped.doubleValue;
  if ('boolValue' in wrapped) return wrapped.boolValue;
  if ('arrayValue' in wrapped) return list(record(wrapped.arrayValue).values).map(anyValue);
  return undefined;
}

const attributesOf = (value: unknown): Record<string, unknown> =>
  Object.fromEntries(list(value).map((attribute) => [text(record(attribute).key), anyValue(record(attribute).value)]));

/**
 * A collector's OTLP/HTTP trace endpoint on loopback, for tests: accepts POST /v1/traces with
 * a JSON body (what @opentelemetry/exporter-trace-otlp-http sends) and keeps every span.
 */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const bodies: string[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== '/v1/traces') {
        response.writeHead(404).end();
        return;
      }
      const raw = Buffer.concat(chunks);
      const body = (request.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
      bodies.push(body);
      const parsed: unknown = JSON.parse(body);
      for (const resourceSpans of list(record(parsed).resourceSpans)) {
        const resource = attributesOf(record(record(resourceSpans).resource).attributes);
        for (const scopeSpans of list(record(resourceSpans).scopeSpans)) {
          for (const span of list(record(scopeSpans).spans)) {
            const fields = record(span);
            spans.push({
              service: text(resource['service.name']),
              traceId: text(fields.traceId),
              spanId: text(fields.spanId),
              parentSpanId: text(fields.parentSpanId),
              name: text(fields.name),
              attributes: attributesOf(fields.attributes),
            });
          }
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    spans,
    bodies,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
