import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSettings } from '../../lib/config.js';
import type { Purpose } from '../../lib/domain.js';
import { mintToken, PERSONAS, type PersonaName } from '../../lib/identity/index.js';
import { startFederation, type Federation, type FederationOptions } from '../../scripts/federation.js';
import { send } from './http-client.js';
import { openTestStore, type TestStore } from './store.js';

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

export async function startTestFederation(options: Partial<FederationOptions> = {}): Promise<TestFederation> {
  const testStore = await openTestStore();
  const devIssuerDir = process.env.DEV_ISSUER_DIR ?? (await mkdtemp(join(tmpdir(), 'tributary-issuer-')));
  process.env.DEV_ISSUER_DIR = devIssuerDir;
  const federation = await startFederation({
    settings: { ...readSettings({ ...process.env, DATABASE_URL: undefined, LOG_LEVEL: 'silent' }) },
    store: testStore.store,
    ephemeralPorts: true,
    seed: 'small',
    ...options,
  });
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
