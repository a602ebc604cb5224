import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSettings } from '../../lib/config.js';
import { PERSONAS } from '../../lib/identity/index.js';
import { REQUEST_ID_ATTRIBUTE } from '../../lib/telemetry/index.js';
import { startTestFederation, type TestFederation } from '../support/federation.js';
import { newRequestId, send, type Answer } from '../support/http-client.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.js';

const TRACED = 'query TracedNetworks { networks(first: 5) { edges { node { id name members { person { name } } routes { id name } } } } }';

interface Member {
  readonly person: { readonly name: string | null } | null;
}
interface NetworkNode {
  readonly id: string;
  readonly name: string | null;
  readonly members: readonly Member[] | null;
  readonly routes: readonly { readonly id: string; readonly name: string | null }[] | null;
}

/**
 * OpenTelemetry traces (issue #17): with OTEL_EXPORTER_OTLP_ENDPOINT set, the gateway and every
 * subgraph export spans over OTLP/HTTP to a collector, here a receiver in the test, one trace
 * per request across services, and nothing in them that names a person or shows a record.
 */
describe('traces over OTLP/HTTP', () => {
  let receiver: OtlpReceiver;
  let fed: TestFederation;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    fed = await startTestFederation({
      settings: readSettings({ ...process.env, DATABASE_URL: undefined, LOG_LEVEL: 'silent', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint }),
    });
  });
  afterAll(async () => {
    await fed?.close();
    await receiver?.close();
  });

  /** Sends the traced query, then flushes every service until the gateway's request span arrived. */
  const traced = async (headers: Record<string, string> = {}): Promise<{ answer: Answer; spans: ReceivedSpan[]; requestId: string }> => {
    const requestId = newRequestId();
    const answer = await send(fed.gatewayUrl, {
      token: await fed.token('ice-analyst'),
      purpose: 'INVESTIGATION',
      json: { query: TRACED },
      headers: { 'x-request-id': requestId, ...headers },
    });
    const ours = (): ReceivedSpan[] => receiver.spans.filter((span) => span.attributes[REQUEST_ID_ATTRIBUTE] === requestId);
    const services = ['gateway', 'ice', 'cbp'] as const;
    // The gateway's request span ends once its answer is sent, just after the client has it.
    for (let attempt = 0; attempt < 50 && !ours().some((span) => span.service === 'tributary-gateway' && span.name === 'tributary.request'); attempt += 1) {
      await Promise.all(services.map((service) => fed.federation.runtime.telemetry(service).flush()));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return { answer, spans: ours(), requestId };
  };

  it('exports one trace across the gateway and the subgraphs, every span carrying the request id', async () => {
    const { answer, spans } = await traced();
    expect(answer.status).toBe(200);
    expect(new Set(spans.map((span) => span.service))).toEqual(new Set(['tributary-gateway', 'tributary-ice', 'tributary-cbp']));
    expect(new Set(spans.map((span) => span.traceId)).size).toBe(1);
    const traceId = spans.map((span) => span.traceId)[0];
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    // Nothing of this trace lacks the id: an operator can go from a request id to its whole trace.
    expect(receiver.spans.filter((span) => span.traceId === traceId)).toHaveLength(spans.length);
  });

  it('has spans for planning, each subgraph fetch, policy decision batches and audit commits, linked parent to child', async () => {
    const { spans } = await traced();
    const named = (service: string, name: string): ReceivedSpan[] => spans.filter((span) => span.service === `tributary-${service}` && span.name === name);
    const byId = new Map(spans.map((span) => [span.spanId, span]));
    const parentOf = (span: ReceivedSpan | undefined): ReceivedSpan | undefined => (span ? byId.get(span.parentSpanId) : undefined);

    const [root] = named('gateway', 'tributary.request');
    expect(root?.parentSpanId).toBe('');
    const [execute] = named('gateway', 'graphql.execute');
    expect(parentOf(execute)).toBe(root);
    expect(parentOf(named('gateway', 'gateway.plan')[0])).toBe(execute);
    const fetches = named('gateway', 'gateway.fetch');
    expect(new Set(fetches.map((span) => span.attributes['tributary.subgraph']))).toEqual(new Set(['ice', 'cbp']));
    for (const fetch of fetches) expect(parentOf(fetch)).toBe(execute);

    for (const service of ['ice', 'cbp']) {
      // Each subgraph's request continues the trace under the gateway's fetch of it (W3C traceparent).
      const [request] = named(service, 'tributary.request');
      expect(parentOf(request)?.name, service).toBe('gateway.fetch');
      expect(parentOf(request)?.attributes['tributary.subgraph']).toBe(service);
      const releases = named(service, 'access.release');
      expect(releases.length, service).toBeGreaterThan(0);
      for (const release of releases) {
        expect(parentOf(parentOf(release))).toBe(request);
        expect(release.attributes['tributary.records']).toBeGreaterThan(0);
        expect(Array.isArray(release.attributes['tributary.rules'])).toBe(true);
      }
      const commits = named(service, 'audit.append');
      expect(commits.length, service).toBe(releases.length);
      for (const commit of commits) expect(parentOf(commit)?.name).toBe('access.release');
    }
  });

  it('continues a trace the client started (its traceparent)', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const { spans } = await traced({ traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
    expect(spans.length).toBeGreaterThan(0);
    expect(new Set(spans.map((span) => span.traceId))).toEqual(new Set([traceId]));
    expect(spans.find((span) => span.service === 'tributary-gateway' && span.name === 'tributary.request')?.parentSpanId).toBe('00f067aa0ba902b7');
  });

  it('puts no person, no record contents and no subject in what it exports', async () => {
    const { answer } = await traced();
    const networks = (answer.body.data?.networks as { edges: { node: NetworkNode }[] }).edges.map((edge) => edge.node);
    const names = networks.flatMap((network) => (network.members ?? []).map((member) => member.person?.name));
    const personNames = names.filter((name): name is string => typeof name === 'string' && name.length > 0);
    expect(personNames.length).toBeGreaterThan(0);
    const contents = [
      ...personNames,
      ...networks.map((network) => network.name).filter((name): name is string => name !== null),
      ...networks.flatMap((network) => (network.routes ?? []).map((route) => route.name)).filter((name): name is string => name !== null),
      ...Object.values(PERSONAS).map((persona) => persona.sub),
    ];
    const exported = receiver.bodies.join('\n');
    for (const value of contents) expect(exported.includes(value), value).toBe(false);
  });

  it('exports nothing, and builds no tracer, when OTEL_EXPORTER_OTLP_ENDPOINT is unset', async () => {
    const untraced = await startTestFederation({ services: ['gateway', 'ice'] });
    try {
      expect(untraced.federation.runtime.telemetry('gateway').tracing).toBeUndefined();
      expect(untraced.federation.runtime.telemetry('ice').tracing).toBeUndefined();
    } finally {
      await untraced.close();
    }
  });
});
