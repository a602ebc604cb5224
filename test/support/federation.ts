import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSettings } from '../../lib/config.js';
import type { Purpose } from '../../lib/domain.js';
import { mintToken, PERSONAS, type PersonaName } from '../../lib/identity/index.js';
import { startFederation, type Federation, type FederationOptions } from '../../scripts/federation.js';
import { send } from './http-client.js';
import { SUBGRAPHS, type SubgraphName } from '../../lib/domain.js';
import { dropCopies } from '../../lib/facts/copies.js';
import { createTestDatabase, openTestStore, testDatabaseUrl, type TestStore } from './store.js';

/**
 * `TEST_AGENCY_DATABASES=separate` (with DATABASE_URL): every end-to-end federation runs on five
 * databases of its own (one per agency, one for the audit log), its policy facts carried by
 * logical replication, so that the policy suites prove SPEC 5 holds with agencies apart.
 * `testStore` is then ICE's database.
 */
const separateDatabases = (): boolean => process.env.TEST_AGENCY_DATABASES === 'separate' && testDatabaseUrl() !== undefined;

async function startSeparateFederation(options: Partial<FederationOptions>): Promise<{ federation: Federation; testStore: TestStore }> {
  const serverUrl = testDatabaseUrl() ?? '';
  const databases = new Map<SubgraphName, { url: string; drop: () => Promise<void> }>();
  for (const service of SUBGRAPHS) databases.set(service, await createTestDatabase(serverUrl));
  const url = (service: SubgraphName): string => databases.get(service)?.url ?? '';
  const dropAll = async (): Promise<void> => {
    // Every subscription and slot before any database: a publisher with a live slot cannot go.
    for (const database of databases.values()) await dropCopies(database.url).catch(() => undefined);
    for (const database of databases.values()) await database.drop();
  };
  try {
    const federation = await startFederation({
      settings: readSettings({
        ...process.env,
        DATABASE_URL: url('ice'),
        ICE_DATABASE_URL: url('ice'),
        CBP_DATABASE_URL: url('cbp'),
        PARTNER_DATABASE_URL: url('partner'),
        NGO_DATABASE_URL: url('ngo'),
        AUDIT_DATABASE_URL: url('audit'),
        LOG_LEVEL: 'silent',
      }),
      ephemeralPorts: true,
      seed: 'small',
      ...options,
    });
    // The policies read copies that count only once fresh: wait for every one, as an operator's
    // readiness check would, rather than test the fail-closed state by accident.
    const deadline = Date.now() + 60_000;
    const fresh = (): boolean => SUBGRAPHS.every((service) => federation.runtime.factCopies(service).every((copy) => copy.fresh));
    while (!fresh()) {
      if (Date.now() > deadline) throw new Error('fact copies not fresh within 60 s');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const store = federation.runtime.storeFor('ice');
    return { federation, testStore: { store, kind: 'postgres', url: url('ice'), close: dropAll } };
  } catch (error) {
    await dropAll();
    throw error;
  }
}

/**
 * The whole federation for an end-to-end test: every service on a free loopback port over a
 * store of the test's own, seeded small, and a client that talks to the gateway over HTTP as a
 * persona would.
 */
export interface TestFederation {
  readonly federation: Federation;
  readonly gatewayUrl: string;
  readonly testStore: TestStore;
  token(persona: PersonaName): Promise<string>;
  query(persona: PersonaName, purpose: Purpose | null, query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLResult>;
  close(): Promise<void>;
}

export interface GraphQLResult {
  readonly status: number;
  readonly body: {
    readonly data?: Record<string, unknown> | null;
    readonly errors?: readonly { readonly message: string; readonly path?: readonly (string | number)[]; readonly extensions?: Record<string, unknown> }[];
  };
}

async function startSharedFederation(options: Partial<FederationOptions>): Promise<{ federation: Federation; testStore: TestStore }> {
  const testStore = await openTestStore();
  const federation = await startFederation({
    settings: { ...readSettings({ ...process.env, DATABASE_URL: undefined, LOG_LEVEL: 'silent' }) },
    store: testStore.store,
    ephemeralPorts: true,
    seed: 'small',
    ...options,
  });
  return { federation, testStore };
}

export async function startTestFederation(options: Partial<FederationOptions> = {}): Promise<TestFederation> {
  const devIssuerDir = process.env.DEV_ISSUER_DIR ?? (await mkdtemp(join(tmpdir(), 'tributary-issuer-')));
  process.env.DEV_ISSUER_DIR = devIssuerDir;
  const { federation, testStore } =
    separateDatabases() && options.store === undefined ? await startSeparateFederation(options) : await startSharedFederation(options);
  const gatewayUrl = federation.urls.gateway ?? '';
  const tokens = new Map<PersonaName, string>();
  const token = async (persona: PersonaName): Promise<string> => {
    let value = tokens.get(persona);
    if (!value) {
      value = await mintToken(PERSONAS[persona], { dir: devIssuerDir });
      tokens.set(persona, value);
    }
    return value;
  };
  return {
    federation,
    gatewayUrl,
    testStore,
    token,
    async query(persona, purpose, query, variables = {}, headers = {}) {
      const { status, body } = await send(gatewayUrl, { token: await token(persona), ...(purpose === null ? {} : { purpose }), json: { query, variables }, headers });
      return { status, body };
    },
    async close() {
      await federation.close();
      await testStore.close();
    },
  };
}
