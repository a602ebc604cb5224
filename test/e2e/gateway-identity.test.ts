import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSettings } from '../../lib/config.js';
import { startTestFederation, type TestFederation } from '../support/federation.js';
import { send } from '../support/http-client.js';

/**
 * With REQUIRE_GATEWAY_IDENTITY on, every subgraph call carries the gateway's identity signed for
 * the request id. The gateway signs it once per request and sends it on each of the request's
 * subgraph calls; the subgraphs still check it on every call.
 */
describe('the federation with the gateway identity required', () => {
  let fed: TestFederation;
  beforeAll(async () => {
    fed = await startTestFederation({
      settings: { ...readSettings({ ...process.env, DATABASE_URL: undefined, LOG_LEVEL: 'silent' }), requireGatewayIdentity: true },
    });
  });
  afterAll(async () => {
    await fed?.close();
  });

  it('answers a query that calls three subgraphs, each time with one identity per request', async () => {
    for (let round = 0; round < 2; round += 1) {
      const { body } = await fed.query(
        'ice-officer',
        'CUSTODY_TRANSFER',
        `{ transfers(first: 5) { edges { node { id person { id encounters { id } bookings { id } } } } } }`,
      );
      expect(body.errors ?? []).toEqual([]);
      expect((body.data?.transfers as { edges: unknown[] }).edges.length).toBeGreaterThan(0);
    }
  });

  it('still refuses a subgraph reached directly with a valid user token alone', async () => {
    const { body } = await send(fed.federation.urls.ice ?? '', {
      token: await fed.token('ice-officer'),
      purpose: 'CUSTODY_TRANSFER',
      json: { query: '{ transfers(first: 1) { totalCount } }' },
    });
    expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
