import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { requestIdentity } from '../../gateway/request-identity.js';
import { verifyGatewayIdentity } from '../../lib/identity/index.js';

const T = new Date('2030-01-01T00:00:00Z');

let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  env = { DEV_ISSUER_DIR: await mkdtemp(join(tmpdir(), 'tributary-request-identity-')) };
});

describe("a request's gateway identity", () => {
  it('is signed once and sent the same on every subgraph call of the request', async () => {
    const identity = requestIdentity('req-identity-1', { env, currentDate: T });
    const first = identity();
    expect(identity()).toBe(first);
    await expect(verifyGatewayIdentity(await first, 'req-identity-1', { env, currentDate: T })).resolves.toBeUndefined();
  });

  it('is signed apart for each request, and holds for its own request only', async () => {
    const one = await requestIdentity('req-identity-1', { env, currentDate: T })();
    const two = await requestIdentity('req-identity-2', { env, currentDate: T })();
    expect(two).not.toBe(one);
    await expect(verifyGatewayIdentity(one, 'req-identity-2', { env, currentDate: T })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});
