import { createPublicKey } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSettings } from '../../lib/config.js';
import { DEV_ISSUER, getDevIssuerJwks, getDevIssuerKey, mintToken, PERSONAS } from '../../lib/identity/index.js';
import type { RunningService } from '../../lib/server/http.js';
import { createRuntime, type Runtime } from '../../lib/server/runtime.js';
import { startExtraGateway } from '../support/extra-gateway.js';
import { startTestFederation, type TestFederation } from '../support/federation.js';
import { codes, entriesOf, newRequestId, send, type Answer, type SendOptions } from '../support/http-client.js';

const ROUTE = 'R-0001';
const base64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** `{ route { networks { routes { ... id } } } }`: exactly `levels` field levels, the leaf included. */
function nested(levels: number): string {
  let inner = 'id';
  for (let level = levels - 1; level >= 2; level -= 1) inner = `${level % 2 === 0 ? 'networks' : 'routes'} { ${inner} }`;
  return `{ route(id: "${ROUTE}") { ${inner} } }`;
}

/**
 * Hostile inputs, each sent to the real gateway over HTTP the way an attacker would send it, and
 * each answered with the exact status and code a client can rely on, and with no data.
 */
describe('hostile inputs at the gateway', () => {
  let fed: TestFederation;
  let analyst: string;
  let production: { runtime: Runtime; gateway: RunningService; dir: string } | undefined;

  beforeAll(async () => {
    fed = await startTestFederation();
    analyst = await fed.token('cbp-analyst');
  });
  afterAll(async () => {
    await production?.gateway.close();
    await production?.runtime.close();
    if (production) await rm(production.dir, { recursive: true, force: true });
    await fed?.close();
  });

  /** As the CBP analyst, for interdiction, unless the options say otherwise. */
  const hostile = (options: SendOptions): Promise<Answer> => send(fed.gatewayUrl, { token: analyst, purpose: 'INTERDICTION', ...options });
  const query = (text: string, extra: Omit<SendOptions, 'json'> = {}): Promise<Answer> => hostile({ json: { query: text }, ...extra });

  const expectRefused = (answer: Answer, status: number, code: string): void => {
    expect({ status: answer.status, code: codes(answer.body)[0] }).toEqual({ status, code });
    expect(answer.body.data ?? undefined).toBeUndefined();
  };

  // ---- Operation limits

  it('refuses a depth bomb of 13 levels with OPERATION_LIMIT', async () => {
    const answer = await query(nested(13));
    expectRefused(answer, 400, 'OPERATION_LIMIT');
    expect(answer.body.errors?.[0]?.extensions).toMatchObject({ limit: 'depth', max: 12, actual: 13 });
  });

  it('refuses a depth bomb hidden in nested fragments with OPERATION_LIMIT', async () => {
    const fragments = Array.from({ length: 7 }, (_, i) => `fragment F${i} on Route { networks { routes { ...F${i + 1} } } }`);
    const answer = await query(`{ route(id: "${ROUTE}") { ...F0 } } ${fragments.join(' ')} fragment F7 on Route { id }`);
    expectRefused(answer, 400, 'OPERATION_LIMIT');
    expect(answer.body.errors?.[0]?.extensions).toMatchObject({ limit: 'depth' });
  });

  it('refuses an alias flood of 31 with OPERATION_LIMIT', async () => {
    const answer = await query(`{ ${Array.from({ length: 31 }, (_, i) => `a${i}: route(id: "${ROUTE}") { id }`).join(' ')} }`);
    expectRefused(answer, 400, 'OPERATION_LIMIT');
    expect(answer.body.errors?.[0]?.extensions).toMatchObject({ limit: 'aliases', max: 30, actual: 31 });
  });

  it('refuses a directive flood (6 @include on one field) with OPERATION_LIMIT', async () => {
    const answer = await query(`{ route(id: "${ROUTE}") { id ${'@include(if: true) '.repeat(6)} } }`);
    expect(answer.status).toBe(400);
    expect(answer.body.data ?? undefined).toBeUndefined();
    // graphql-js's own rule also objects to a repeated non-repeatable directive; the limit's
    // error is among them, naming the field and the count.
    const limit = answer.body.errors?.find((error) => error.extensions?.code === 'OPERATION_LIMIT');
    expect(limit?.extensions).toMatchObject({ limit: 'directives', max: 5, actual: 6 });
    expect(new Set(codes(answer.body))).toEqual(new Set(['GRAPHQL_VALIDATION_FAILED', 'OPERATION_LIMIT']));
  });

  it('refuses a page of 501 with OPERATION_LIMIT', async () => {
    const answer = await query('{ routes(first: 501) { totalCount } }');
    expectRefused(answer, 400, 'OPERATION_LIMIT');
    expect(answer.body.errors?.[0]?.extensions).toMatchObject({ limit: 'pageSize', max: 500, actual: 501 });
  });

  it('refuses a page of 501 passed as a variable with OPERATION_LIMIT', async () => {
    const answer = await hostile({ json: { query: 'query($n: Int) { routes(first: $n) { totalCount } }', variables: { n: 501 } } });
    expectRefused(answer, 400, 'OPERATION_LIMIT');
  });

  it('refuses pages nested inside pages (a cost bomb) with OPERATION_LIMIT', async () => {
    const answer = await query('{ networks(first: 500) { edges { node { routes { networks { routes { networks { id } } } } } } } }');
    expectRefused(answer, 400, 'OPERATION_LIMIT');
    expect(answer.body.errors?.[0]?.extensions).toMatchObject({ limit: 'cost' });
  });

  it('refuses a document of more than 5,000 tokens with OPERATION_LIMIT, before parsing it all', async () => {
    const answer = await query(`{ ${'__typename '.repeat(6_000)} }`);
    expectRefused(answer, 400, 'OPERATION_LIMIT');
    expect(answer.body.errors?.[0]?.extensions).toMatchObject({ limit: 'tokens', max: 5_000 });
  });

  // ---- HTTP framing

  it('refuses a body over 1 MB with 413, without reading it', async () => {
    const answer = await hostile({ raw: JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(1_100_000) } }) });
    expectRefused(answer, 413, 'OPERATION_LIMIT');
  });

  it('refuses a body over 1 MB sent without content-length (chunked) with 413', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 0) controller.enqueue(new TextEncoder().encode('{"query":"{ __typename }","pad":"'));
        if (sent >= 20) controller.close();
        else controller.enqueue(chunk);
        sent += 1;
      },
    });
    const response = await fetch(fed.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${analyst}`, 'x-purpose-of-use': 'INTERDICTION' },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
    // The rest of the body is still on its way: the connection is not kept for another request.
    expect(response.headers.get('connection')).toBe('close');
    const parsed = (await response.json()) as { data?: unknown; errors: { extensions: { code: string } }[] };
    expect(parsed.errors[0]?.extensions.code).toBe('OPERATION_LIMIT');
    expect(parsed.data).toBeUndefined();
    // Regression: the refused connection used to stay open with its parser stranded mid-body, and
    // the next request sent on it hung for the keep-alive timeout (5 s) and was then reset.
    for (let i = 0; i < 4; i += 1) {
      const next = await query('{ __typename }');
      expect(next.body).toEqual({ data: { __typename: 'Query' } });
      expect(next.ms).toBeLessThan(2_000);
    }
  });

  it('refuses a batch of 11 operations with OPERATION_LIMIT, running none of them', async () => {
    const requestId = newRequestId();
    const answer = await hostile({ json: Array.from({ length: 11 }, () => ({ query: '{ routes(first: 1) { totalCount } }' })), headers: { 'x-request-id': requestId } });
    expectRefused(answer, 400, 'OPERATION_LIMIT');
    expect(answer.body.errors?.[0]?.extensions).toMatchObject({ limit: 'batch', max: 10, actual: 11 });
    expect(await entriesOf(fed.testStore.store, requestId)).toEqual([]);
  });

  it('answers a batch of 2 operations with two results', async () => {
    const answer = await hostile({ json: [{ query: '{ routes(first: 1) { totalCount } }' }, { query: `{ route(id: "${ROUTE}") { id } }` }] });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual([{ data: { routes: { totalCount: expect.any(Number) } } }, { data: { route: { id: ROUTE } } }]);
  });

  it('refuses malformed JSON with 400 BAD_USER_INPUT', async () => {
    expectRefused(await hostile({ raw: '{"query": "{ routes { totalCount } }"' }), 400, 'BAD_USER_INPUT');
  });

  it('refuses JSON nested half a million levels deep with 400, and stays up', async () => {
    expectRefused(await hostile({ raw: `${'['.repeat(500_000)}${']'.repeat(500_000)}` }), 400, 'BAD_REQUEST');
    expect((await query('{ __typename }')).body).toEqual({ data: { __typename: 'Query' } });
  });

  it('refuses a query that is not a string with 400 BAD_REQUEST', async () => {
    expectRefused(await hostile({ json: { query: 42 } }), 400, 'BAD_REQUEST');
  });

  // ---- Schema probing

  it('answers a suggestion probe with GRAPHQL_VALIDATION_FAILED and no "Did you mean"', async () => {
    const probes = [
      `{ route(id: "${ROUTE}") { nmae } }`, // field
      `{ rout(id: "${ROUTE}") { id } }`, // root field
      `{ route(idd: "${ROUTE}") { id } }`, // argument
      '{ routes(filter: { sector: TUSCON }) { totalCount } }', // enum value
      `{ route(id: "${ROUTE}") { ... on Rout { id } } }`, // type
    ];
    for (const probe of probes) {
      const answer = await query(probe);
      expectRefused(answer, 400, 'GRAPHQL_VALIDATION_FAILED');
      expect(answer.text).not.toMatch(/did you mean/i);
    }
  });

  it('refuses introspection without a token with 401 UNAUTHENTICATED', async () => {
    expectRefused(await send(fed.gatewayUrl, { purpose: 'INTERDICTION', json: { query: '{ __schema { queryType { name } } }' } }), 401, 'UNAUTHENTICATED');
  });

  it('answers introspection with a token in development', async () => {
    const answer = await query('{ __schema { queryType { name } } }');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
  });

  it('refuses introspection in production, even with a valid token', async () => {
    // Production trusts the development issuer only when the issuers file lists it: list it,
    // so that the token is good and introspection is the only thing refused.
    const dir = await mkdtemp(join(tmpdir(), 'tributary-production-'));
    const file = join(dir, 'trusted-issuers.json');
    await writeFile(file, JSON.stringify({ issuers: [{ iss: DEV_ISSUER, jwks: await getDevIssuerJwks({ dir: process.env.DEV_ISSUER_DIR ?? '' }) }] }));
    const settings = readSettings({ ...process.env, NODE_ENV: 'production', DATABASE_URL: undefined, AUDIT_DATABASE_URL: undefined, LOG_LEVEL: 'silent', TRUSTED_ISSUERS_FILE: file });
    const runtime = await createRuntime(settings, { policy: fed.federation.runtime.policy, store: fed.testStore.store });
    production = { runtime, dir, gateway: await startExtraGateway(fed.federation, { runtime }) };
    const url = production.gateway.url;

    for (const probe of ['{ __schema { queryType { name } } }', '{ __type(name: "Route") { fields { name } } }']) {
      expectRefused(await send(url, { token: analyst, purpose: 'INTERDICTION', json: { query: probe } }), 400, 'GRAPHQL_VALIDATION_FAILED');
    }
    // The same gateway answers ordinary queries with the same token.
    const ordinary = await send(url, { token: analyst, purpose: 'INTERDICTION', json: { query: `{ route(id: "${ROUTE}") { id } }` } });
    expect(ordinary.body).toEqual({ data: { route: { id: ROUTE } } });
  });

  // ---- Transport tricks

  it('refuses a mutation over GET from a browser-like request as a potential CSRF', async () => {
    const requestId = newRequestId();
    const answer = await hostile({
      method: 'GET',
      search: { query: `mutation { linkRouteToNetwork(routeId: "${ROUTE}", networkId: "N-0002") { id } }` },
      headers: { 'x-request-id': requestId },
    });
    expectRefused(answer, 400, 'BAD_REQUEST');
    expect(answer.text).toContain('Cross-Site Request Forgery');
    expect(await entriesOf(fed.testStore.store, requestId)).toEqual([]);
  });

  it('refuses a mutation over GET even with a preflight header (405), writing nothing', async () => {
    const requestId = newRequestId();
    const answer = await hostile({
      method: 'GET',
      search: { query: `mutation { linkRouteToNetwork(routeId: "${ROUTE}", networkId: "N-0002") { id } }` },
      headers: { 'x-request-id': requestId, 'apollo-require-preflight': 'true' },
    });
    expectRefused(answer, 405, 'BAD_REQUEST');
    const entries = await entriesOf(fed.testStore.store, requestId);
    expect(entries.filter((entry) => entry.action === 'WRITE')).toEqual([]);
  });

  it('reads injection-shaped ids as null, in arguments and in variables', async () => {
    // A NUL byte is no longer read as an id: it is refused as a malformed argument (400
    // BAD_USER_INPUT, issue #14), see hostile-arguments.test.ts.
    const injections = ["R-0001' OR '1'='1", "1; DROP TABLE cbp.routes; --", "') UNION SELECT name FROM ice.persons --", '%', '*'];
    for (const id of injections) {
      const answer = await hostile({
        json: {
          query: `query($id: ID!) { route(id: $id) { id } network(id: $id) { id } transfer(id: $id) { id } person(id: $id) { id } }`,
          variables: { id },
        },
      });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ data: { route: null, network: null, transfer: null, person: null } });
    }
    // And the tables are all still there.
    expect((await query(`{ route(id: "${ROUTE}") { id } }`)).body).toEqual({ data: { route: { id: ROUTE } } });
  });

  it('replaces a malformed request id instead of writing it to logs and the audit log', async () => {
    const answer = await query('{ __typename }', { headers: { 'x-request-id': 'x" injected=1 <script>' } });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  // ---- Tokens: each refused with UNAUTHENTICATED, each attempt in the audit log

  const claims = PERSONAS['cbp-analyst'];
  const now = (): number => Math.floor(Date.now() / 1000);
  const payload = () => ({ ...claims, roles: [...claims.roles], jurisdictions: [...claims.jurisdictions], purposes: [...claims.purposes], iss: DEV_ISSUER, aud: 'tributary', iat: now(), exp: now() + 600 });
  const issuerDir = (): string => process.env.DEV_ISSUER_DIR ?? '';

  const forgedTokens: Record<string, () => Promise<string>> = {
    'an unsigned token (alg: none)': async () => `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(payload())}.`,
    "an HS256 token signed with the issuer's public key (key confusion)": async () => {
      const { publicJwk } = await getDevIssuerKey({ dir: issuerDir() });
      const pem = createPublicKey({ key: { ...publicJwk }, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
      return new SignJWT(payload()).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(String(pem)));
    },
    'an expired token': () => mintToken(claims, { dir: issuerDir(), now: new Date(Date.now() - 2 * 3_600_000), expiresIn: 600 }),
    'a token for another audience': () => mintToken(claims, { dir: issuerDir(), audience: 'another-api' }),
    'a token from an unknown issuer': () => mintToken(claims, { dir: issuerDir(), issuer: 'https://idp.attacker.example' }),
    'a token whose claims were edited after signing': async () => {
      const [header, body, signature] = (await mintToken(claims, { dir: issuerDir() })).split('.');
      const edited = { ...(JSON.parse(Buffer.from(body ?? '', 'base64url').toString()) as Record<string, unknown>), agency: 'OVERSIGHT', roles: ['auditor'] };
      return `${header}.${base64url(edited)}.${signature}`;
    },
    'a token that is not a JWT at all': async () => 'not-a-jwt',
    'a token of 15 KB of base64url junk': async () => `${'a'.repeat(15_000)}.${'b'.repeat(10)}.${'c'.repeat(10)}`,
  };

  for (const [name, forge] of Object.entries(forgedTokens)) {
    it(`refuses ${name} with 401 UNAUTHENTICATED and records the attempt`, async () => {
      const requestId = newRequestId();
      const answer = await hostile({ token: await forge(), json: { query: `{ route(id: "${ROUTE}") { id name } }` }, headers: { 'x-request-id': requestId } });
      expectRefused(answer, 401, 'UNAUTHENTICATED');
      // One entry, at the gateway: no subgraph was asked anything, and nothing the token claimed
      // about its subject is stored.
      expect(await entriesOf(fed.testStore.store, requestId)).toEqual([
        expect.objectContaining({ service: 'gateway', action: 'AUTHENTICATE', decision: 'DENY', subjectSub: null, reason: answer.body.errors?.[0]?.message }),
      ]);
    });
  }

  it('refuses a token of 20 KB at the HTTP layer with 431, before any code reads it', async () => {
    // Node's 16 KB header limit answers before the request reaches the gateway: there is no
    // authentication attempt to record, and nothing was read.
    const requestId = newRequestId();
    const answer = await hostile({ token: `${'a'.repeat(20_000)}.b.c`, json: { query: '{ __typename }' }, headers: { 'x-request-id': requestId } });
    expect(answer.status).toBe(431);
    expect(answer.body.data ?? undefined).toBeUndefined();
    expect(await entriesOf(fed.testStore.store, requestId)).toEqual([]);
  });

  it('shows the refused attempts to an auditor through accessLog', async () => {
    const { body } = await fed.query('auditor', 'OVERSIGHT_AUDIT', '{ accessLog(first: 50, filter: { action: AUTHENTICATE, decision: DENY }) { edges { node { action decision subjectSub } } } }');
    expect(body.errors ?? []).toEqual([]);
    const nodes = (body.data?.accessLog as { edges: { node: { action: string; decision: string; subjectSub: string | null } }[] }).edges.map((edge) => edge.node);
    expect(nodes.length).toBeGreaterThanOrEqual(Object.keys(forgedTokens).length);
    expect(nodes.every((node) => node.action === 'AUTHENTICATE' && node.decision === 'DENY' && node.subjectSub === null)).toBe(true);
  });
});
