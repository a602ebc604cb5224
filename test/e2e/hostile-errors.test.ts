import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSettings } from '../../lib/config.js';
import { DEV_ISSUER, getDevIssuerJwks } from '../../lib/identity/index.js';
import { createLogger } from '../../lib/log.js';
import type { RunningService } from '../../lib/server/http.js';
import { createRuntime, type Runtime } from '../../lib/server/runtime.js';
import { SUBGRAPH_STARTERS } from '../../subgraphs/index.js';
import { startExtraGateway } from '../support/extra-gateway.js';
import { startTestFederation, type TestFederation } from '../support/federation.js';
import { codes, send, type Answer } from '../support/http-client.js';

/** The keys each JSON object of a line repeats (pino writes a key twice when bound twice). */
function duplicateKeys(line: string): string[] {
  const tokens = line.match(/"(?:[^"\\]|\\.)*"|[{}[\]:]/g) ?? [];
  const open: (Set<string> | null)[] = [];
  const repeated: string[] = [];
  for (const [index, token] of tokens.entries()) {
    if (token === '{') open.push(new Set());
    else if (token === '[') open.push(null);
    else if (token === '}' || token === ']') open.pop();
    else if (token.startsWith('"') && tokens[index + 1] === ':') {
      const keys = open[open.length - 1];
      if (keys?.has(token)) repeated.push(token);
      keys?.add(token);
    }
  }
  return repeated;
}

/** Apollo's and our codes for a client's own mistakes: never logged at error level. */
const CLIENT_MISTAKES = new Set([
  'BAD_USER_INPUT',
  'GRAPHQL_VALIDATION_FAILED',
  'GRAPHQL_PARSE_FAILED',
  'BAD_REQUEST',
  'UNAUTHENTICATED',
  'PURPOSE_REQUIRED',
  'FORBIDDEN',
  'OPERATION_LIMIT',
  'RATE_LIMITED',
  'REDACTED',
]);
const PINO_ERROR_LEVEL = 50;

/** Type names of the schema that production messages must not name (the client wrote none of them). */
const SCHEMA_TYPE_NAMES = /"(RouteConnection!?|Route!?|RouteFilter|Sector|Query|Network|NetworkConnection!?)"/;

/**
 * Error classes (issue #14, classes 5 and 7): what the logs keep of a client's mistakes, and
 * what a production service tells a caller probing its schema without introspection.
 */
describe('error classes', () => {
  const lines: string[] = [];
  let fed: TestFederation;
  let analyst: string;
  let production: { runtime: Runtime; gateway: RunningService; cbp: RunningService; dir: string } | undefined;

  beforeAll(async () => {
    fed = await startTestFederation({ log: createLogger('tributary', 'debug', { write: (line: string) => void lines.push(line) }) });
    analyst = await fed.token('cbp-analyst');
    // Production trusts the development issuer only when the issuers file lists it.
    const dir = await mkdtemp(join(tmpdir(), 'tributary-production-'));
    const file = join(dir, 'trusted-issuers.json');
    await writeFile(file, JSON.stringify({ issuers: [{ iss: DEV_ISSUER, jwks: await getDevIssuerJwks({ dir: process.env.DEV_ISSUER_DIR ?? '' }) }] }));
    const settings = readSettings({ ...process.env, NODE_ENV: 'production', DATABASE_URL: undefined, AUDIT_DATABASE_URL: undefined, TRUSTED_ISSUERS_FILE: file });
    const runtime = await createRuntime(settings, { policy: fed.federation.runtime.policy, store: fed.testStore.store, log: fed.federation.runtime.log });
    const startCbp = SUBGRAPH_STARTERS.cbp;
    if (!startCbp) throw new Error('no cbp starter');
    production = { runtime, dir, gateway: await startExtraGateway(fed.federation, { runtime }), cbp: await startCbp(runtime, { port: 0, host: '127.0.0.1' }) };
  });
  afterAll(async () => {
    await production?.gateway.close();
    await production?.cbp.close();
    await production?.runtime.close();
    if (production) await rm(production.dir, { recursive: true, force: true });
    await fed?.close();
  });

  const ask = (url: string, query: string, variables: Record<string, unknown> = {}): Promise<Answer> =>
    send(url, { token: analyst, purpose: 'INTERDICTION', json: { query, variables } });

  // ---- Class 7: production messages without the schema's type names

  /** A probe, and what a production service answers it with (graphql-js's wording in development). */
  const PROBES: readonly { readonly query: string; readonly variables?: Record<string, unknown>; readonly production: readonly string[] }[] = [
    { query: '{ routes }', production: ['Field "routes" needs a selection of subfields.'] },
    { query: '{ route(id: "R-0001") { id { value } } }', production: ['Field "id" takes no selection of subfields.'] },
    { query: '{ route(id: "R-0001") { nmae } }', production: ['Cannot query field "nmae" here.'] },
    { query: '{ route(idd: "R-0001") { id } }', production: ['Unknown argument "idd" on field "route".', 'Field "route" argument "id" is required, but it was not provided.'] },
    { query: '{ routes(filter: { sector: TUSCON }) { totalCount } }', production: ['Value "TUSCON" is not allowed here.'] },
    { query: '{ routes(filter: { sector: "TUCSON" }) { totalCount } }', production: ['Value "TUCSON" is not allowed here.'] },
    { query: '{ routes(filter: { sectr: TUCSON }) { totalCount } }', production: ['Input field "sectr" is not defined here.'] },
    { query: 'query($s: String) { routes(filter: { sector: $s }) { totalCount } }', production: ['Variable "$s" of type "String" cannot be used in this position.'] },
    { query: '{ route(id: "R-0001") { ... on Network { id } } }', production: ['Fragment cannot be spread here.'] },
    {
      query: 'query($f: RouteFilter) { routes(filter: $f) { totalCount } }',
      variables: { f: { sector: 'TUSCON' } },
      production: ['Variable "$f" got invalid value "TUSCON" at "f.sector"; Value "TUSCON" is not allowed here.'],
    },
  ];

  for (const probe of PROBES) {
    it(`answers ${probe.query} in production without naming the schema's types, at the gateway and at a subgraph`, async () => {
      for (const url of [production?.gateway.url ?? '', production?.cbp.url ?? '']) {
        const answer = await ask(url, probe.query, probe.variables);
        expect(answer.status).toBe(400);
        expect(answer.body.errors?.map((error) => error.message)).toEqual(probe.production);
        expect(answer.text).not.toMatch(SCHEMA_TYPE_NAMES);
        // What a client needs to find its mistake is kept: where it is.
        if (probe.variables === undefined) expect(answer.body.errors?.[0]).toHaveProperty('locations');
      }
    });
  }

  it("keeps graphql-js's full messages in development", async () => {
    const answer = await ask(fed.gatewayUrl, '{ routes }');
    expect(answer.body.errors?.[0]?.message).toBe('Field "routes" of type "RouteConnection!" must have a selection of subfields.');
  });

  it('keeps its own malformed-argument messages in production: they name only what the client wrote', async () => {
    const answer = await ask(production?.gateway.url ?? '', '{ routes(first: -1) { totalCount } }');
    expect({ status: answer.status, codes: codes(answer.body) }).toEqual({ status: 400, codes: ['BAD_USER_INPUT'] });
    expect(answer.body.errors?.[0]?.message).toBe('Argument "first" of field "routes" is a page size and must be 0 or more, got -1');
  });

  // ---- Class 5: logs

  it('logs client mistakes below error level, without stack traces, and no line repeats a key', async () => {
    const mistakes: readonly [string, string, Record<string, unknown>?][] = [
      ['{', 'GRAPHQL_PARSE_FAILED'],
      ['{ rout { id } }', 'GRAPHQL_VALIDATION_FAILED'],
      ['{ routes(first: -1) { totalCount } }', 'BAD_USER_INPUT'],
      ['query($id: ID!) { route(id: $id) { id } }', 'BAD_USER_INPUT', { id: 'R\u0000' }],
      ['{ routes(first: 501) { totalCount } }', 'OPERATION_LIMIT'],
    ];
    for (const url of [fed.gatewayUrl, fed.federation.urls.cbp ?? '', production?.gateway.url ?? '']) {
      for (const [query, code, variables] of mistakes) {
        // The subgraphs have no page-size limit of their own yet (issue #14, class 3).
        if (code === 'OPERATION_LIMIT' && url === fed.federation.urls.cbp) continue;
        expect(codes((await ask(url, query, variables)).body)[0]).toBe(code);
      }
    }
    // And one refused caller: no token at all.
    expect(codes((await send(fed.gatewayUrl, { purpose: 'INTERDICTION', json: { query: '{ __typename }' } })).body)).toEqual(['UNAUTHENTICATED']);

    const parsed = lines.map((line) => JSON.parse(line) as { level: number; code?: unknown; err?: unknown });
    const clientMistakes = parsed.filter((line) => typeof line.code === 'string' && CLIENT_MISTAKES.has(line.code));
    expect(new Set(clientMistakes.map((line) => line.code))).toEqual(new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT', 'OPERATION_LIMIT']));
    for (const line of clientMistakes) {
      expect(line.level).toBeLessThan(PINO_ERROR_LEVEL);
      expect(line.err).toBeUndefined();
      expect(JSON.stringify(line)).not.toMatch(/stack|\bat .+\.(ts|js):\d+/);
    }
    for (const line of lines) expect({ line, repeated: duplicateKeys(line) }).toEqual({ line, repeated: [] });
  });

  it('finds a repeated key where pino writes one (the check itself)', () => {
    expect(duplicateKeys('{"level":30,"service":"tributary","service":"gateway","a":{"b":1,"c":[{"b":2}]}}')).toEqual(['"service"']);
    expect(duplicateKeys('{"msg":"a \\"quoted\\": b","a":{"msg":1}}')).toEqual([]);
  });
});
