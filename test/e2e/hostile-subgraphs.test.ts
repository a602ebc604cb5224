import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSettings } from '../../lib/config.js';
import type { Purpose, SubgraphName } from '../../lib/domain.js';
import { DEV_ISSUER, GATEWAY_IDENTITY_HEADER, getDevIssuerJwks, signGatewayIdentity, type PersonaName } from '../../lib/identity/index.js';
import type { RunningService } from '../../lib/server/http.js';
import { DEFAULT_OPERATION_LIMITS } from '../../lib/limits/index.js';
import { createRuntime, type Runtime } from '../../lib/server/runtime.js';
import { SUBGRAPH_STARTERS } from '../../subgraphs/index.js';
import { startExtraGateway } from '../support/extra-gateway.js';
import { startTestFederation, type TestFederation } from '../support/federation.js';
import { codes, entriesOf, newRequestId, send, type Answer, type SendOptions } from '../support/http-client.js';

/** How to reach one subgraph as a caller it serves, and the shapes its schema offers an attacker. */
interface Target {
  readonly name: SubgraphName;
  readonly persona: PersonaName;
  readonly purpose: Purpose;
  /** A root connection of the subgraph. */
  readonly connection: string;
  /** An entity the subgraph resolves, and two fields that lead from it back to its own type (a cycle). */
  readonly entity?: { readonly typename: string; readonly id: string; readonly cycle: readonly [string, string] };
}

const TARGETS: readonly Target[] = [
  { name: 'cbp', persona: 'cbp-analyst', purpose: 'INTERDICTION', connection: 'routes', entity: { typename: 'Network', id: 'N-0001', cycle: ['routes', 'networks'] } },
  { name: 'ice', persona: 'ice-officer', purpose: 'CUSTODY_TRANSFER', connection: 'transfers', entity: { typename: 'Person', id: 'P-000001', cycle: ['transfers', 'person'] } },
  { name: 'partner', persona: 'partner-saguaro', purpose: 'CUSTODY_TRANSFER', connection: 'bookings', entity: { typename: 'Person', id: 'P-000001', cycle: ['bookings', 'person'] } },
  { name: 'ngo', persona: 'ngo-legal', purpose: 'LEGAL_SERVICES', connection: 'referrals', entity: { typename: 'Person', id: 'P-000001', cycle: ['referrals', 'person'] } },
  { name: 'audit', persona: 'auditor', purpose: 'OVERSIGHT_AUDIT', connection: 'accessLog' },
];

/** `_entities` for one representation, selecting `fields` cycle fields deep under it, then `id`. */
function entityChain(entity: NonNullable<Target['entity']>, fields: number, literal?: string): string {
  let inner = 'id';
  for (let level = fields - 1; level >= 0; level -= 1) inner = `${entity.cycle[level % 2]} { ${inner} }`;
  const fetch = `_entities(representations: ${literal ?? '$representations'}) { ... on ${entity.typename} { ${inner} } }`;
  return literal === undefined ? `query ($representations: [_Any!]!) { ${fetch} }` : `{ ${fetch} }`;
}

const representations = (entity: NonNullable<Target['entity']>, count: number): unknown[] =>
  Array.from({ length: count }, (_, i) => ({ __typename: entity.typename, id: i === 0 ? entity.id : `${entity.id}-${i}` }));

/**
 * Every subgraph is reachable directly with a valid token (SPEC 8), so each applies the gateway's
 * operation limits itself: the same hostile inputs the gateway refuses, sent straight to each
 * subgraph, are refused there with the same code, HTTP status and figures, and nothing runs.
 */
describe('hostile inputs straight to each subgraph', () => {
  let fed: TestFederation;
  beforeAll(async () => {
    fed = await startTestFederation();
  });
  afterAll(async () => {
    await fed?.close();
  });

  it("passes a subgraph's refusal on to the client with its code and message, not as an internal error", async () => {
    // A gateway whose own page limit is looser than the subgraphs' admits what ICE then refuses.
    const loose = await startExtraGateway(fed.federation, { gateway: { limits: { ...DEFAULT_OPERATION_LIMITS, maxPageSize: 1_000 } } });
    try {
      const answer = await send(loose.url, { token: await fed.token('ice-officer'), purpose: 'CUSTODY_TRANSFER', json: { query: '{ transfers(first: 600) { totalCount } }' } });
      expect(answer.body.data ?? null).toBeNull();
      expect(answer.body.errors?.map((error) => error.extensions)).toEqual([expect.objectContaining({ code: 'OPERATION_LIMIT', limit: 'pageSize', service: 'ice' })]);
      expect(answer.body.errors?.[0]?.message).toMatch(/^Page size 600 .* exceeds the limit of 500$/);
    } finally {
      await loose.close();
    }
  });

  for (const target of TARGETS) {
    describe(`the ${target.name} subgraph`, () => {
      const url = (): string => fed.federation.urls[target.name] ?? '';
      const hostile = async (options: SendOptions): Promise<Answer> =>
        send(url(), { token: await fed.token(target.persona), purpose: target.purpose, ...options });
      const query = (text: string, variables?: Record<string, unknown>): Promise<Answer> =>
        hostile({ json: { query: text, ...(variables ? { variables } : {}) } });

      const expectLimit = (answer: Answer, limit: string, status = 400): void => {
        expect({ status: answer.status, codes: codes(answer.body) }).toEqual({ status, codes: ['OPERATION_LIMIT'] });
        expect(answer.body.data ?? undefined).toBeUndefined();
        if (status === 400) expect(answer.body.errors?.[0]?.extensions).toMatchObject({ limit });
      };

      if (target.entity) {
        const entity = target.entity;
        it('refuses an entity fetch 13 levels deep, and lets one 12 levels deep past the depth limit', async () => {
          const deep = await query(entityChain(entity, 11), { representations: representations(entity, 1) });
          expectLimit(deep, 'depth');
          expect(deep.body.errors?.[0]?.extensions).toMatchObject({ max: 12, actual: 13 });
          // Where both fields of the cycle are lists (cbp's routes and networks), 12 levels cost
          // ten to the tenth and the cost limit refuses it instead; depth never does.
          const allowed = await query(entityChain(entity, 10), { representations: representations(entity, 1) });
          expect((allowed.body.errors ?? []).filter((error) => error.extensions?.limit === 'depth')).toEqual([]);
        });

        it('refuses representations whose selections multiply past the cost budget', async () => {
          const answer = await query(entityChain(entity, 5), { representations: representations(entity, 500) });
          expectLimit(answer, 'cost');
        });

        it('refuses the same cost bomb with the representations written into the query', async () => {
          const literal = `[${representations(entity, 300).map((r) => `{ __typename: "${entity.typename}", id: "${String((r as { id: string }).id)}" }`).join(', ')}]`;
          expectLimit(await query(entityChain(entity, 5, literal), {}), 'cost');
        });

        it('refuses 100,000 representations as a body over 1 MB (413), before reading them', async () => {
          const answer = await query(`query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on ${entity.typename} { id } } }`, {
            representations: representations(entity, 100_000),
          });
          expectLimit(answer, 'body', 413);
        });
      }

      it('refuses an alias flood of 31 below the root', async () => {
        const answer = await query(`{ ${target.connection}(first: 1) { edges { node { ${Array.from({ length: 31 }, (_, i) => `a${i}: id`).join(' ')} } } } }`);
        expectLimit(answer, 'aliases');
        expect(answer.body.errors?.[0]?.extensions).toMatchObject({ max: 30, actual: 31 });
      });

      it('refuses 300 aliased pages of 500 at the root by their cost', async () => {
        const pages = Array.from({ length: 300 }, (_, i) => `a${i}: ${target.connection}(first: 500) { edges { node { id } } }`).join(' ');
        expectLimit(await query(`{ ${pages} }`), 'cost');
      });

      it('refuses a directive flood (6 on one field)', async () => {
        const answer = await query(`{ ${target.connection}(first: 1) { totalCount ${'@include(if: true) '.repeat(6)} } }`);
        expect(answer.status).toBe(400);
        expect(answer.body.data ?? undefined).toBeUndefined();
        expect(answer.body.errors?.find((error) => error.extensions?.code === 'OPERATION_LIMIT')?.extensions).toMatchObject({ limit: 'directives', max: 5, actual: 6 });
      });

      it('refuses a page of 501, written or passed as a variable', async () => {
        expectLimit(await query(`{ ${target.connection}(first: 501) { totalCount } }`), 'pageSize');
        expectLimit(await query(`query ($n: Int) { ${target.connection}(first: $n) { totalCount } }`, { n: 501 }), 'pageSize');
      });

      it('refuses a document past its token budget before parsing it all', async () => {
        const answer = await query(`{ ${'__typename '.repeat(12_000)} }`);
        expectLimit(answer, 'tokens');
        expect(answer.body.errors?.[0]?.extensions).toMatchObject({ max: 10_000 });
      });

      it('refuses a batch of 11 operations, and does not batch at all', async () => {
        expectLimit(await hostile({ json: Array.from({ length: 11 }, () => ({ query: '{ __typename }' })) }), 'batch');
        const two = await hostile({ json: [{ query: '{ __typename }' }, { query: '{ __typename }' }] });
        expect(two.status).toBe(400);
        expect(two.text).not.toContain('"data"');
      });

      it('refuses a body over 1 MB with 413', async () => {
        expectLimit(await hostile({ raw: JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(1_100_000) } }) }), 'body', 413);
      });
    });
  }
});

/**
 * The SDL is the whole schema: in production a subgraph hands it (`_service { sdl }`) only to a
 * request carrying the gateway's signed identity for that request (SPEC 8). A user token alone,
 * however valid, is refused with FORBIDDEN and the attempt is audited; development still
 * answers it, and production still answers a user token's ordinary queries.
 */
describe('the subgraph schema (_service) in production', () => {
  let fed: TestFederation;
  let production: { runtime: Runtime; dir: string; subgraphs: Partial<Record<SubgraphName, RunningService>> } | undefined;

  beforeAll(async () => {
    fed = await startTestFederation();
    // Production trusts the development issuer only when the issuers file lists it: list it, so
    // that the user token is good and the SDL is the only thing refused.
    const dir = await mkdtemp(join(tmpdir(), 'tributary-production-'));
    const file = join(dir, 'trusted-issuers.json');
    await writeFile(file, JSON.stringify({ issuers: [{ iss: DEV_ISSUER, jwks: await getDevIssuerJwks({ dir: process.env.DEV_ISSUER_DIR ?? '' }) }] }));
    const settings = readSettings({ ...process.env, NODE_ENV: 'production', DATABASE_URL: undefined, AUDIT_DATABASE_URL: undefined, LOG_LEVEL: 'silent', TRUSTED_ISSUERS_FILE: file });
    const runtime = await createRuntime(settings, { policy: fed.federation.runtime.policy, store: fed.testStore.store });
    production = { runtime, dir, subgraphs: {} };
    for (const target of TARGETS) {
      const start = SUBGRAPH_STARTERS[target.name];
      if (start) production.subgraphs[target.name] = await start(runtime, { port: 0, host: '127.0.0.1' });
    }
  });
  afterAll(async () => {
    await Promise.all(Object.values(production?.subgraphs ?? {}).map((service) => service.close()));
    await production?.runtime.close();
    if (production) await rm(production.dir, { recursive: true, force: true });
    await fed?.close();
  });

  const SDL = '{ _service { sdl } }';

  for (const target of TARGETS) {
    describe(`the ${target.name} subgraph`, () => {
      const ask = async (url: string, query: string, requestId: string, identity?: string): Promise<Answer> =>
        send(url, {
          token: await fed.token(target.persona),
          purpose: target.purpose,
          json: { query },
          headers: { 'x-request-id': requestId, ...(identity === undefined ? {} : { [GATEWAY_IDENTITY_HEADER]: identity }) },
        });
      const productionUrl = (): string => production?.subgraphs[target.name]?.url ?? '';

      it('refuses the SDL to a valid user token with FORBIDDEN (403), and audits the attempt', async () => {
        const requestId = newRequestId();
        const answer = await ask(productionUrl(), SDL, requestId);
        expect({ status: answer.status, codes: codes(answer.body) }).toEqual({ status: 403, codes: ['FORBIDDEN'] });
        expect(answer.body.data ?? undefined).toBeUndefined();
        expect(answer.text).not.toContain('type Query');
        expect(await entriesOf(fed.testStore.store, requestId)).toEqual([
          expect.objectContaining({ service: target.name, action: 'REQUEST', decision: 'DENY', reason: expect.stringMatching(/^schema requested without the gateway identity/) }),
        ]);
      });

      it('refuses the SDL asked for through a fragment, or with the identity of another request', async () => {
        const hidden = await ask(productionUrl(), '{ ...S } fragment S on Query { _service { sdl } }', newRequestId());
        expect(codes(hidden.body)).toEqual(['FORBIDDEN']);
        const replayed = await ask(productionUrl(), SDL, newRequestId(), await signGatewayIdentity(newRequestId()));
        expect(codes(replayed.body)).toEqual(['FORBIDDEN']);
      });

      it("answers the SDL to a request carrying the gateway's identity for it", async () => {
        const requestId = newRequestId();
        const answer = await ask(productionUrl(), SDL, requestId, await signGatewayIdentity(requestId));
        expect(answer.status).toBe(200);
        expect(answer.body.errors).toBeUndefined();
        expect((answer.body.data?._service as { sdl: string }).sdl).toContain('type Query');
      });

      it("still answers a user token's ordinary query in production", async () => {
        const answer = await ask(productionUrl(), `{ ${target.connection}(first: 1) { totalCount } }`, newRequestId());
        expect(answer.status).toBe(200);
        expect(answer.body.errors).toBeUndefined();
      });

      it('answers the SDL to a valid user token in development', async () => {
        const answer = await ask(fed.federation.urls[target.name] ?? '', SDL, newRequestId());
        expect(answer.status).toBe(200);
        expect((answer.body.data?._service as { sdl: string }).sdl).toContain('type Query');
      });
    });
  }
});
