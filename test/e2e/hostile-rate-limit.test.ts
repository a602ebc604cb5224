import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PERSONAS, type PersonaName } from '../../lib/identity/index.js';
import type { RunningService } from '../../lib/server/http.js';
import { startExtraGateway, type ExtraGatewayOptions } from '../support/extra-gateway.js';
import { startTestFederation, type TestFederation } from '../support/federation.js';
import { codes, entriesOf, newRequestId, send, type Answer } from '../support/http-client.js';
import { deleteKeys, redisReachable, testRedisUrl, uniqueKeyPrefix } from '../support/redis.js';

const QUERY = '{ routes(first: 1) { totalCount } }';
const redisUp = await redisReachable();
if (!redisUp) console.warn(`Redis is not reachable at ${testRedisUrl()}: the shared-budget test is skipped`);

/**
 * SPEC 8's rate limits through the real gateway over HTTP: budgets per subject and per org,
 * refused with 429 RATE_LIMITED and a retry hint, recorded in the audit log, and shared by
 * gateway replicas through Redis. Each case runs on a gateway of its own with small limits,
 * over one federation's subgraphs.
 */
describe('rate limits at the gateway', () => {
  let fed: TestFederation;
  const gateways: RunningService[] = [];
  const prefix = uniqueKeyPrefix();

  beforeAll(async () => {
    fed = await startTestFederation();
  });
  afterAll(async () => {
    await Promise.all(gateways.map((gateway) => gateway.close()));
    await fed?.close();
    if (redisUp) await deleteKeys(prefix);
  });

  const gateway = async (options: ExtraGatewayOptions): Promise<RunningService> => {
    const started = await startExtraGateway(fed.federation, options);
    gateways.push(started);
    return started;
  };
  /** One cheap query under the persona's first purpose (every persona may count routes). */
  const ask = async (url: string, persona: PersonaName, requestId = newRequestId()): Promise<Answer> => {
    const purpose = PERSONAS[persona].purposes[0] ?? 'INTERDICTION';
    return send(url, { token: await fed.token(persona), purpose, json: { query: QUERY }, headers: { 'x-request-id': requestId } });
  };
  const outcome = (answer: Answer): string => (answer.status === 200 && codes(answer.body).length === 0 ? 'ok' : `${answer.status} ${codes(answer.body).join(',')}`);

  it('refuses a burst beyond the subject limit with 429 RATE_LIMITED, a retry-after header and no data', async () => {
    const { url } = await gateway({ settings: { rateLimitPerSubject: 5, rateLimitPerOrg: 0 } });
    const burst: Answer[] = [];
    for (let i = 0; i < 8; i += 1) burst.push(await ask(url, 'cbp-analyst'));
    expect(burst.map(outcome)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', '429 RATE_LIMITED', '429 RATE_LIMITED', '429 RATE_LIMITED']);

    const refused = burst[7] as Answer;
    expect(refused.body.data).toBeUndefined();
    const error = refused.body.errors?.[0];
    expect(error?.message).toMatch(/^Rate limit exceeded: your limit is 5 requests per minute; retry in \d+ s$/);
    // Five per minute: one token every 12 s, so the wait is between 1 and 12 s.
    expect(error?.extensions).toMatchObject({ code: 'RATE_LIMITED', limit: 'subject' });
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(12);
    expect(error?.extensions?.['retryAfter']).toBe(retryAfter);
    // Apollo moves `extensions.http` to the response; it never reaches the body.
    expect(error?.extensions).not.toHaveProperty('http');

    // Another subject of the same org is not affected by a subject limit.
    expect(outcome(await ask(url, 'cbp-agent'))).toBe('ok');
  });

  it('records a refused request as a DENY entry saying "rate limited", and reaches no subgraph', async () => {
    const { url } = await gateway({ settings: { rateLimitPerSubject: 1, rateLimitPerOrg: 0 } });
    expect(outcome(await ask(url, 'ice-analyst'))).toBe('ok');
    const requestId = newRequestId();
    expect(outcome(await ask(url, 'ice-analyst', requestId))).toBe('429 RATE_LIMITED');
    const entries = await entriesOf(fed.testStore.store, requestId);
    expect(entries).toEqual([
      expect.objectContaining({ service: 'gateway', action: 'REQUEST', decision: 'DENY', subjectSub: 'ice-analyst@ice-hsi-tucson', reason: expect.stringMatching(/^rate limited: /) }),
    ]);
  });

  it('shares one budget among the members of an org', async () => {
    const { url } = await gateway({ settings: { rateLimitPerSubject: 0, rateLimitPerOrg: 4 } });
    const answers = [await ask(url, 'cbp-agent'), await ask(url, 'cbp-analyst'), await ask(url, 'cbp-agent'), await ask(url, 'cbp-analyst'), await ask(url, 'cbp-analyst')];
    expect(answers.map(outcome)).toEqual(['ok', 'ok', 'ok', 'ok', '429 RATE_LIMITED']);
    expect(answers[4]?.body.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', limit: 'org' });
    expect(answers[4]?.body.errors?.[0]?.message).toContain("your organization's limit is 4 requests per minute");
    // Another org has a budget of its own.
    expect(outcome(await ask(url, 'ice-officer'))).toBe('ok');
  });

  it('charges a batch one request per operation', async () => {
    const { url } = await gateway({ settings: { rateLimitPerSubject: 5, rateLimitPerOrg: 0 } });
    const token = await fed.token('partner-saguaro');
    const batch = (size: number) => send(url, { token, purpose: 'CUSTODY_TRANSFER', json: Array.from({ length: size }, () => ({ query: QUERY })) });
    const first = await batch(3);
    expect(first.status).toBe(200);
    expect(Array.isArray(first.body)).toBe(true);
    const second = await batch(3);
    expect(second.status).toBe(429);
    expect(codes(second.body)).toEqual(['RATE_LIMITED']);
  });

  it('turns both limits off with 0', async () => {
    const { url } = await gateway({ settings: { rateLimitPerSubject: 0, rateLimitPerOrg: 0 } });
    const answers = await Promise.all(Array.from({ length: 20 }, () => ask(url, 'ngo-shelter')));
    expect(answers.map(outcome)).toEqual(Array.from({ length: 20 }, () => 'ok'));
  });

  it.skipIf(!redisUp)('gives two gateway replicas sharing Redis one budget per subject', async () => {
    const shared: ExtraGatewayOptions = {
      settings: { rateLimitPerSubject: 6, rateLimitPerOrg: 0, redisUrl: testRedisUrl() },
      gateway: { rateLimitKeyPrefix: prefix },
    };
    const [one, two] = [await gateway(shared), await gateway(shared)];
    const answers: Answer[] = [];
    for (let i = 0; i < 10; i += 1) answers.push(await ask(i % 2 === 0 ? one.url : two.url, 'ice-officer'));
    // Six in all, not six per replica.
    expect(answers.map(outcome)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ok', '429 RATE_LIMITED', '429 RATE_LIMITED', '429 RATE_LIMITED', '429 RATE_LIMITED']);
    expect(Number(answers[9]?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('keeps answering, with limits per replica, when Redis is unreachable', async () => {
    const started = Date.now();
    const { url } = await gateway({ settings: { rateLimitPerSubject: 3, rateLimitPerOrg: 0, redisUrl: 'redis://127.0.0.1:1' } });
    const answers: Answer[] = [];
    for (let i = 0; i < 4; i += 1) answers.push(await ask(url, 'cbp-rgv-agent'));
    expect(answers.map(outcome)).toEqual(['ok', 'ok', 'ok', '429 RATE_LIMITED']);
    // Neither start-up nor requests wait for the Redis that is not there.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(Math.max(...answers.map((answer) => answer.ms))).toBeLessThan(2_000);
  });
});
