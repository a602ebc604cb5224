import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JwksLoadError, generateAuditSigningKey, loadJwks, publicJwksOf, signCheckpoint, verifyCheckpoint } from '../../lib/audit/index.js';

const CLAIM = { chain: 'ice', seq: 3, headHash: 'a'.repeat(64), at: new Date('2026-01-01T00:00:00Z'), kind: 'PERIODIC' } as const;

describe('loadJwks: the audit service key set from a file or a URL', () => {
  let dir: string;
  let server: Server;
  let base: string;
  let body = '';
  let status = 200;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'checkpoint-keys-'));
    server = createServer((_req, res) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a JWKS file whose key verifies a checkpoint', async () => {
    const key = await generateAuditSigningKey();
    const file = join(dir, 'jwks.json');
    await writeFile(file, JSON.stringify(publicJwksOf(key)));
    const checkpoint = await signCheckpoint(key, CLAIM);
    await expect(verifyCheckpoint(checkpoint.signature, await loadJwks(file))).resolves.toMatchObject({ chain: 'ice', seq: 3 });
  });

  it('fetches a JWKS URL whose key verifies a checkpoint', async () => {
    const key = await generateAuditSigningKey();
    body = JSON.stringify(publicJwksOf(key));
    status = 200;
    const checkpoint = await signCheckpoint(key, CLAIM);
    await expect(verifyCheckpoint(checkpoint.signature, await loadJwks(`${base}/.well-known/jwks.json`))).resolves.toMatchObject({ seq: 3 });
  });

  it('refuses a set carrying private key material', async () => {
    const key = await generateAuditSigningKey();
    const file = join(dir, 'leaky.json');
    await writeFile(file, JSON.stringify({ keys: [key.privateJwk] }));
    await expect(loadJwks(file)).rejects.toThrow(/private key material/);
  });

  it('names the source when the endpoint fails, the file is missing, or the source is empty', async () => {
    status = 503;
    body = 'down';
    await expect(loadJwks(`${base}/.well-known/jwks.json`)).rejects.toThrow(/HTTP 503/);
    await expect(loadJwks(join(dir, 'absent.json'))).rejects.toBeInstanceOf(JwksLoadError);
    await expect(loadJwks('  ')).rejects.toThrow(/empty/);
  });

  it('gives up on an unreachable endpoint within its timeout', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/.well-known/jwks.json`;
    try {
      await expect(loadJwks(url, { timeoutMs: 200 })).rejects.toThrow(/could not be fetched/);
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
