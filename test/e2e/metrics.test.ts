import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSettings } from '../../lib/config.js';
import { PERSONAS } from '../../lib/identity/index.js';
import { startTestFederation, type TestFederation } from '../support/federation.js';
import { codes, send } from '../support/http-client.js';
import { labelValues, observations, samples, scrape, total, type Family } from '../support/prometheus.js';

const NETWORK_ROUTES = 'query NetworkRoutes { networks(first: 20) { edges { node { id routes { id waypoints { lat } } } } } }';
const ROUTE_COUNT = 'query RouteCount { routes(first: 1) { totalCount } }';
const BURST = 8;

/**
 * Prometheus metrics (SPEC 8, issue #17): every service serves its own at /metrics, parsed here
 * by a parser that is not ours, after a few real requests through the gateway.
 */
describe('metrics at /metrics', () => {
  let fed: TestFederation;
  let gateway: ReadonlyMap<string, Family>;
  let cbp: ReadonlyMap<string, Family>;
  /** Every id and subject the requests touched: none may appear as a label value. */
  const identifying = new Set<string>(Object.values(PERSONAS).map((persona) => persona.sub));

  beforeAll(async () => {
    fed = await startTestFederation({
      // A small budget per subject, so that one persona's burst is refused.
      settings: readSettings({ ...process.env, DATABASE_URL: undefined, LOG_LEVEL: 'silent', RATE_LIMIT_PER_SUBJECT: '5', RATE_LIMIT_PER_ORG: '0' }),
    });
    const redacted = await fed.query('ice-analyst', 'INVESTIGATION', NETWORK_ROUTES);
    expect(codes(redacted.body)).toContain('REDACTED');
    for (const edge of (redacted.body.data?.networks as { edges: { node: { id: string; routes: { id: string }[] } }[] }).edges) {
      identifying.add(edge.node.id);
      for (const route of edge.node.routes) identifying.add(route.id);
    }
    expect((await fed.query('cbp-analyst', 'INTERDICTION', ROUTE_COUNT)).status).toBe(200);
    const refused: number[] = [];
    for (let i = 0; i < BURST; i += 1) refused.push((await fed.query('cbp-agent', 'INTERDICTION', ROUTE_COUNT)).status);
    expect(refused.filter((status) => status === 429).length).toBeGreaterThan(0);
    expect((await send(fed.gatewayUrl, { json: { query: ROUTE_COUNT } })).status).toBe(401);
    gateway = (await scrape(fed.gatewayUrl)).families;
    cbp = (await scrape(fed.federation.urls.cbp ?? '')).families;
  });
  afterAll(async () => {
    await fed?.close();
  });

  it('is Prometheus text, with the default Node process metrics, labelled with its service', async () => {
    expect((await scrape(fed.gatewayUrl)).contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(gateway.has('process_cpu_user_seconds_total')).toBe(true);
    expect(gateway.has('nodejs_eventloop_lag_seconds')).toBe(true);
    expect(samples(gateway, 'tributary_requests_total').every((sample) => sample.labels?.['service'] === 'gateway')).toBe(true);
    expect(samples(cbp, 'tributary_requests_total').every((sample) => sample.labels?.['service'] === 'cbp')).toBe(true);
  });

  it('counts requests and their latency by operation name and outcome', () => {
    expect(total(gateway, 'tributary_requests_total', { operation: 'RouteCount', outcome: 'ok' })).toBeGreaterThanOrEqual(6);
    expect(total(gateway, 'tributary_requests_total', { operation: 'NetworkRoutes', outcome: 'REDACTED' })).toBe(1);
    expect(observations(gateway, 'tributary_request_duration_seconds', { operation: 'RouteCount', outcome: 'ok' })).toBeGreaterThanOrEqual(6);
    // Refused before its operation was resolved: no name is trusted yet.
    expect(total(gateway, 'tributary_requests_total', { operation: 'unknown', outcome: 'UNAUTHENTICATED' })).toBe(1);
    // The subgraph sees the gateway's fetches of the same operations.
    expect(total(cbp, 'tributary_requests_total', { outcome: 'ok' })).toBeGreaterThan(0);
  });

  it('counts errors by code', () => {
    expect(total(gateway, 'tributary_errors_total', { code: 'REDACTED' })).toBeGreaterThan(0);
    expect(total(gateway, 'tributary_errors_total', { code: 'UNAUTHENTICATED' })).toBe(1);
    expect(total(gateway, 'tributary_errors_total', { code: 'RATE_LIMITED' })).toBeGreaterThanOrEqual(BURST - 5);
  });

  it('counts rate-limit refusals by limit, at the gateway only', () => {
    expect(total(gateway, 'tributary_rate_limit_refusals_total', { limit: 'subject' })).toBeGreaterThanOrEqual(BURST - 5);
    expect(total(cbp, 'tributary_rate_limit_refusals_total')).toBe(0);
    expect(gateway.has('tributary_admission_refusals_total')).toBe(true);
  });

  it('times each subgraph fetch by subgraph and outcome', () => {
    expect(observations(gateway, 'tributary_subgraph_request_duration_seconds', { subgraph: 'cbp', outcome: 'ok' })).toBeGreaterThan(0);
    expect(observations(gateway, 'tributary_subgraph_request_duration_seconds', { subgraph: 'ice', outcome: 'ok' })).toBeGreaterThan(0);
  });

  it('counts policy decisions by rule id and decision, and redacted fields by category, where records are released', () => {
    expect(total(cbp, 'tributary_policy_decisions_total', { rule: 'dhs.tactical-cbp-only', decision: 'PARTIAL' })).toBeGreaterThan(0);
    expect(total(cbp, 'tributary_redactions_total', { category: 'TACTICAL' })).toBeGreaterThan(0);
    expect(total(gateway, 'tributary_redactions_total')).toBe(0);
  });

  it('times audit commits and counts the entries appended, per service', () => {
    expect(total(gateway, 'tributary_audit_entries_appended_total')).toBeGreaterThan(0);
    expect(total(cbp, 'tributary_audit_entries_appended_total')).toBeGreaterThan(0);
    expect(total(cbp, 'tributary_audit_commits_total', { outcome: 'ok' })).toBeGreaterThan(0);
    expect(observations(cbp, 'tributary_audit_append_duration_seconds', { outcome: 'ok' })).toBeGreaterThan(0);
  });

  it('never labels a series with a record id, a subject or a request id', () => {
    expect(identifying.size).toBeGreaterThan(Object.keys(PERSONAS).length);
    for (const value of [...labelValues(gateway), ...labelValues(cbp)]) {
      expect(identifying.has(value), value).toBe(false);
      expect(value).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
    }
  });
});
