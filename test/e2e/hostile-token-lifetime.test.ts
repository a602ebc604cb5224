import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUBGRAPHS, type ServiceName } from '../../lib/domain.js';
import { DEV_ISSUER, PERSONAS, getDevIssuerKey } from '../../lib/identity/index.js';
import { startTestFederation, type TestFederation } from '../support/federation.js';
import { codes, entriesOf, newRequestId, send } from '../support/http-client.js';

const YEAR = 365 * 86_400;

/**
 * Class 6 of the second security pass: a token valid for ten years is a standing credential.
 * Every service refuses a token that claims more than TOKEN_MAX_LIFETIME_SECONDS (a day by
 * default), through the gateway and straight to each subgraph, with UNAUTHENTICATED, and leaves
 * an audit entry of the attempt that names the reason.
 */
describe('tokens that live too long', () => {
  let fed: TestFederation;
  beforeAll(async () => {
    fed = await startTestFederation();
  });
  afterAll(async () => {
    await fed?.close();
  });

  /** A correctly signed analyst token from the trusted development issuer, issued now. */
  const signedFor = async (lifetimeSeconds: number): Promise<string> => {
    const claims = PERSONAS['cbp-analyst'];
    const now = Math.floor(Date.now() / 1000);
    const { privateKey, kid } = await getDevIssuerKey({ dir: process.env.DEV_ISSUER_DIR ?? '' });
    return new SignJWT({ ...claims, roles: [...claims.roles], jurisdictions: [...claims.jurisdictions], purposes: [...claims.purposes] })
      .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
      .setIssuer(DEV_ISSUER)
      .setAudience('tributary')
      .setSubject(claims.sub)
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + lifetimeSeconds)
      .sign(privateKey);
  };

  const urlOf = (service: ServiceName): string => (service === 'gateway' ? fed.gatewayUrl : (fed.federation.urls[service] ?? ''));

  for (const service of ['gateway', ...SUBGRAPHS] as const) {
    it(`${service} refuses a ten-year token with 401 UNAUTHENTICATED and audits the attempt with its reason`, async () => {
      const requestId = newRequestId();
      const answer = await send(urlOf(service), {
        token: await signedFor(10 * YEAR),
        purpose: 'INTERDICTION',
        json: { query: '{ __typename }' },
        headers: { 'x-request-id': requestId },
      });
      expect(answer.status).toBe(401);
      expect(answer.body.data ?? undefined).toBeUndefined();
      expect(codes(answer.body)).toEqual(['UNAUTHENTICATED']);
      expect(answer.body.errors?.[0]?.message).toMatch(/^token lifetime exceeds the maximum of 86400 s/);
      expect(answer.body.errors?.[0]?.extensions?.['reason']).toBe('lifetime_too_long');
      // Refused before anything else: one entry, at the service asked, naming the lifetime and no subject.
      expect(await entriesOf(fed.testStore.store, requestId)).toEqual([
        expect.objectContaining({ service, action: 'AUTHENTICATE', decision: 'DENY', subjectSub: null, reason: expect.stringMatching(/^token lifetime exceeds the maximum of 86400 s/) }),
      ]);
    });
  }

  it('still answers a token of exactly a day, through the gateway', async () => {
    const answer = await send(fed.gatewayUrl, { token: await signedFor(86_400), purpose: 'INTERDICTION', json: { query: '{ routes(first: 1) { totalCount } }' } });
    expect(answer.status).toBe(200);
    expect(answer.body.errors ?? []).toEqual([]);
  });
});
