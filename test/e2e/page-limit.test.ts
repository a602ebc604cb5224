import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSettings } from '../../lib/config.js';
import { DEFAULT_OPERATION_LIMITS } from '../../lib/limits/index.js';
import { startExtraGateway } from '../support/extra-gateway.js';
import { startTestFederation, type TestFederation } from '../support/federation.js';
import { codes, send } from '../support/http-client.js';

/**
 * `LIMIT_MAX_PAGE_SIZE` is one setting: the gateway admits pages up to it, and every subgraph
 * (its connections and the access log alike) refuses a larger one with the gateway's code,
 * OPERATION_LIMIT, whoever asks.
 */
describe('a federation started with LIMIT_MAX_PAGE_SIZE=20', () => {
  let fed: TestFederation;
  beforeAll(async () => {
    fed = await startTestFederation({ settings: readSettings({ ...process.env, DATABASE_URL: undefined, LOG_LEVEL: 'silent', LIMIT_MAX_PAGE_SIZE: '20' }) });
  });
  afterAll(async () => {
    await fed?.close();
  });

  it('serves a page of 20 through the gateway', async () => {
    const answer = await fed.query('cbp-analyst', 'INTERDICTION', '{ routes(first: 20) { edges { node { id } } } }');
    expect(answer.body.errors).toBeUndefined();
    expect(answer.status).toBe(200);
  });

  it('refuses a page of 21 at the gateway with OPERATION_LIMIT and the configured figure', async () => {
    const answer = await fed.query('cbp-analyst', 'INTERDICTION', '{ routes(first: 21) { totalCount } }');
    expect(codes(answer.body)).toEqual(['OPERATION_LIMIT']);
    expect(answer.body.errors?.[0]?.extensions).toMatchObject({ limit: 'pageSize', max: 20, actual: 21 });
  });

  it('has a subgraph refuse a page of 21 that a looser gateway let through', async () => {
    const loose = await startExtraGateway(fed.federation, { gateway: { limits: { ...DEFAULT_OPERATION_LIMITS, maxPageSize: 500 } } });
    try {
      const answer = await send(loose.url, { token: await fed.token('ice-officer'), purpose: 'CUSTODY_TRANSFER', json: { query: '{ transfers(first: 21) { totalCount } }' } });
      expect(answer.body.data ?? null).toBeNull();
      expect(answer.body.errors?.map((error) => error.extensions)).toEqual([expect.objectContaining({ code: 'OPERATION_LIMIT', limit: 'pageSize', service: 'ice' })]);
      expect(answer.body.errors?.[0]?.message).toMatch(/exceeds the limit of 20$/);
    } finally {
      await loose.close();
    }
  });

  for (const target of [
    { name: 'partner', persona: 'partner-saguaro', purpose: 'CUSTODY_TRANSFER', connection: 'bookings' },
    { name: 'audit', persona: 'auditor', purpose: 'OVERSIGHT_AUDIT', connection: 'accessLog' },
  ] as const) {
    it(`has the ${target.name} subgraph, reached directly, refuse a page of 21 and serve one of 20`, async () => {
      const url = fed.federation.urls[target.name] ?? '';
      const token = await fed.token(target.persona);
      const larger = await send(url, { token, purpose: target.purpose, json: { query: `{ ${target.connection}(first: 21) { totalCount } }` } });
      expect(codes(larger.body)).toEqual(['OPERATION_LIMIT']);
      expect(larger.body.errors?.[0]?.extensions).toMatchObject({ limit: 'pageSize', max: 20 });
      const allowed = await send(url, { token, purpose: target.purpose, json: { query: `{ ${target.connection}(first: 20) { totalCount } }` } });
      expect(allowed.body.errors).toBeUndefined();
    });
  }
});
