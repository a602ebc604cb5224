import { readFile } from 'node:fs/promises';
import { composeServices } from '@apollo/composition';
import { parse, validate, type GraphQLSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lookUpFixtures, pickTransfer } from '../../bench/lib/fixtures.js';
import { countRecords, WORKLOADS, type WorkloadContext } from '../../bench/lib/workloads.js';
import { startPlainSubgraphs } from '../../bench/plain/set.js';
import { plainSupergraph } from '../../bench/plain/supergraph.js';
import { startBareApollo } from '../../bench/servers/apollo-bare.js';
import type { RunningServers } from '../../bench/servers/running.js';
import { repoPath } from '../../lib/paths.js';
import { sql } from '../../lib/store/index.js';
import { seedIfEmpty } from '../../seed/index.js';
import { openTestStore, testDatabaseUrl, type TestStore } from '../support/store.js';

// Scenario (d) of `npm run bench`: the plain federation must answer every request the bench
// sends (b), unchanged, or its figures compare different work.

const FAKE: WorkloadContext = { fixtures: { transferId: 'T-000001', personId: 'P-000001', midCursor: 'VHJhbnNmZXI6VC0wMDEwMDA' }, token: () => 'unused' };
const plainSdlFile = (name: string): Promise<string> => readFile(repoPath('bench', 'plain', 'schema', `${name}.graphql`), 'utf8');

const queriesOf = (context: WorkloadContext): { id: string; query: string }[] =>
  WORKLOADS.flatMap((workload) => workload.requests(context).map((request) => ({ id: workload.id, query: String((JSON.parse(request.body) as { query: unknown }).query) })));

async function composedApi(names: readonly string[], sdlOf: (name: string) => Promise<string>): Promise<GraphQLSchema> {
  const services = await Promise.all(names.map(async (name) => ({ name, url: `http://127.0.0.1:9/${name}`, typeDefs: parse(await sdlOf(name)) })));
  const result = composeServices(services);
  if (result.errors) throw new Error(result.errors.map((error) => error.message).join('\n'));
  return result.schema.toAPISchema().toGraphQLJSSchema();
}

describe('the plain federation of the benchmark (scenario (d))', () => {
  it('composes, and every workload the bench sends is a valid request against it and against Tributary alike', async () => {
    const plain = await composedApi(['ice', 'cbp', 'partner', 'ngo'], plainSdlFile);
    const tributary = await composedApi(['ice', 'cbp', 'partner', 'ngo', 'audit'], (name) => readFile(repoPath('schema', `${name}.graphql`), 'utf8'));
    const queries = queriesOf(FAKE);
    expect(new Set(queries.map((query) => query.id))).toEqual(new Set(WORKLOADS.map((workload) => workload.id)));
    for (const { id, query } of queries) {
      expect({ id, errors: validate(plain, parse(query)).map((error) => error.message) }).toEqual({ id, errors: [] });
      expect({ id, errors: validate(tributary, parse(query)).map((error) => error.message) }).toEqual({ id, errors: [] });
    }
  });

  it('refuses a query for a field it does not have (the check above can fail)', async () => {
    const plain = await composedApi(['ice', 'cbp', 'partner', 'ngo'], plainSdlFile);
    expect(validate(plain, parse('{ transfers(first: 1) { edges { node { medicalSummary } } } }'))).not.toEqual([]);
  });
});

// Over PostgreSQL only: the plain subgraphs use `pg` directly, as most teams' would.
describe.skipIf(!testDatabaseUrl())('the plain federation over seeded PostgreSQL', () => {
  let open: TestStore;
  let subgraphs: RunningServers;
  let gateway: RunningServers;
  let context: WorkloadContext;
  const post = async (body: string): Promise<unknown> => {
    const response = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(response.status).toBe(200);
    return response.json();
  };

  beforeAll(async () => {
    open = await openTestStore();
    await seedIfEmpty(open.store, { scale: 'small' });
    subgraphs = await startPlainSubgraphs(open.url ?? '');
    gateway = await startBareApollo(await plainSupergraph(subgraphs.urls));
    const fixtures = await lookUpFixtures(open.store, async () =>
      pickTransfer(await post(JSON.stringify({ query: '{ transfers(first: 50) { edges { node { id person { id encounters { id } } } } } }' }))),
    );
    context = { fixtures, token: () => 'unused' };
  });

  afterAll(async () => {
    await gateway?.close();
    await subgraphs?.close();
    await open?.close();
  });

  it('answers every workload without errors, with the records asked for', async () => {
    for (const workload of WORKLOADS) {
      for (const request of workload.requests(context)) {
        const body = await post(request.body);
        expect({ workload: workload.id, errors: (body as { errors?: unknown }).errors }).toEqual({ workload: workload.id, errors: undefined });
        expect(countRecords(body)).toBeGreaterThan(0);
      }
    }
  });

  it('pages by keyset: N = 10 returns ten transfers, each with its person and encounters; a page after a cursor starts past it', async () => {
    const list = WORKLOADS.find((workload) => workload.id === 'list-10')?.requests(context)[0];
    const page = (await post(list?.body ?? '')) as { data: { transfers: { edges: { node: { id: string; person: { name: string; encounters: unknown[] } } }[] } } };
    expect(page.data.transfers.edges).toHaveLength(10);
    expect(page.data.transfers.edges.every((edge) => typeof edge.node.person.name === 'string' && Array.isArray(edge.node.person.encounters))).toBe(true);
    const thousand = WORKLOADS.find((workload) => workload.id === 'list-1000')?.requests(context)[0];
    const two = (await post(thousand?.body ?? '')) as { data: Record<'a' | 'b', { edges: { node: { id: string } }[] }> };
    const middle = Buffer.from(context.fixtures.midCursor, 'base64url').toString('utf8').replace(/^Transfer:/, '');
    expect(two.data.b.edges.length).toBeGreaterThan(0);
    expect(two.data.b.edges.every((edge) => edge.node.id > middle)).toBe(true);
    expect(two.data.a.edges[0]?.node.id).toBe([...two.data.a.edges].map((edge) => edge.node.id).sort()[0]);
  });

  it('creates a requested transfer for the person named', async () => {
    const mutation = WORKLOADS.find((workload) => workload.id === 'mutation')?.requests(context)[0];
    const body = (await post(mutation?.body ?? '')) as { data: { requestTransfer: { id: string; status: string } } };
    expect(body.data.requestTransfer.status).toBe('REQUESTED');
    const [row] = await open.store.query(sql`SELECT person_id FROM ice.transfers WHERE id = ${body.data.requestTransfer.id}`);
    expect(row?.['person_id']).toBe(context.fixtures.personId);
  });
});
