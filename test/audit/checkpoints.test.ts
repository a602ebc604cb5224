import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createAuditWriter,
  generateAuditSigningKey,
  latestCheckpoint,
  latestCheckpoints,
  loadAuditSigningKey,
  parseCheckpointFile,
  publicJwksOf,
  readAuditPublicJwks,
  signCheckpoint,
  startCheckpointer,
  verifyCheckpoint,
  type AuditSigningKey,
} from '../../lib/audit/index.js';
import { readSettings } from '../../lib/config.js';
import { sql } from '../../lib/store/index.js';
import { entries } from './entries.js';
import { openTestStore, STORE_KINDS, tamper, type TestStore } from './stores.js';

describe.each(STORE_KINDS)('signed checkpoints on %s', (kind) => {
  let t: TestStore;
  let key: AuditSigningKey;
  const count = async (): Promise<number> => Number((await t.store.query(sql`SELECT count(*) AS n FROM audit.checkpoints`))[0]?.['n']);

  beforeAll(async () => {
    t = await openTestStore(kind);
    key = await generateAuditSigningKey();
  });
  afterAll(async () => t.dispose());
  beforeEach(async () => tamper(t.store, 'TRUNCATE audit.events, audit.checkpoints RESTART IDENTITY'));

  it('writes one per chain while entries are written, and none while the log is idle', async () => {
    const checkpointer = startCheckpointer(t.store, { key, intervalMs: 40 });
    const writer = createAuditWriter(t.store, { service: 'ice' });
    await createAuditWriter(t.store, { service: 'cbp' }).append(entries(2));
    for (let i = 0; i < 3; i += 1) {
      await writer.append(entries(5));
      await new Promise((resolve) => setTimeout(resolve, 120));
    }
    const whileWriting = await count();
    expect(whileWriting).toBeGreaterThanOrEqual(4);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await count()).toBe(whileWriting);
    await checkpointer.stop();
    expect(await count()).toBe(whileWriting);
    // Three appends of five entries: three events.
    expect(await latestCheckpoint(t.store, 'ice')).toMatchObject({ chain: 'ice', seq: 3, kind: 'PERIODIC', keyId: key.kid });
  });

  it('writes a final SHUTDOWN checkpoint on stop when the head moved', async () => {
    const checkpointer = startCheckpointer(t.store, { key, intervalMs: 60_000 });
    await createAuditWriter(t.store, { service: 'gateway' }).append(entries(3, (i) => ({ requestId: `req-${i}` })));
    await checkpointer.stop();
    const [latest] = await latestCheckpoints(t.store);
    expect(latest).toMatchObject({ chain: 'gateway', seq: 3, kind: 'SHUTDOWN' });
    const [head] = await t.store.query(sql`SELECT hash FROM audit.events WHERE chain = 'gateway' AND seq = 3`);
    expect(latest?.headHash).toBe(head?.['hash']);
  });

  it('signs what it records: the signature vouches for chain, count, head hash and time', async () => {
    await createAuditWriter(t.store, { service: 'ngo' }).append(entries(4, (i) => ({ requestId: `req-${i}` })));
    const [checkpoint] = await startCheckpointer(t.store, { key, intervalMs: 60_000 }).checkpointNow();
    const claim = await verifyCheckpoint(checkpoint!.signature, publicJwksOf(key));
    expect(claim).toEqual({ chain: 'ngo', seq: 4, headHash: checkpoint!.headHash, at: checkpoint!.at, kind: 'PERIODIC' });
    const stranger = await generateAuditSigningKey();
    await expect(verifyCheckpoint(checkpoint!.signature, publicJwksOf(stranger))).rejects.toThrow(/does not verify/);
  });
});

describe('checkpoint signatures and keys', () => {
  let key: AuditSigningKey;
  beforeAll(async () => {
    key = await generateAuditSigningKey();
  });

  it('refuses a payload edited after signing', async () => {
    const checkpoint = await signCheckpoint(key, { chain: 'cbp', seq: 9, headHash: 'a'.repeat(64), at: new Date(), kind: 'PERIODIC' });
    const [header, payload, signature] = checkpoint.signature.split('.');
    const edited = Buffer.from(Buffer.from(payload!, 'base64url').toString().replace('"seq":9', '"seq":8')).toString('base64url');
    await expect(verifyCheckpoint(`${header}.${edited}.${signature}`, publicJwksOf(key))).rejects.toThrow(/does not verify/);
  });

  it('refuses alg none', async () => {
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', kid: key.kid })).toString('base64url')}.${Buffer.from('{}').toString('base64url')}.`;
    await expect(verifyCheckpoint(none, publicJwksOf(key))).rejects.toThrow(/does not verify/);
  });

  it('reads the checkpoint files auditors keep in any of their shapes', async () => {
    const checkpoint = await signCheckpoint(key, { chain: 'cbp', seq: 1, headHash: 'b'.repeat(64), at: new Date(), kind: 'PERIODIC' });
    const json = JSON.parse(JSON.stringify(checkpoint)) as unknown;
    expect(parseCheckpointFile(json, 'f')).toEqual([checkpoint.signature]);
    expect(parseCheckpointFile([json, checkpoint.signature], 'f')).toEqual([checkpoint.signature, checkpoint.signature]);
    expect(parseCheckpointFile({ checkpoints: [json] }, 'f')).toEqual([checkpoint.signature]);
    expect(() => parseCheckpointFile({ seq: 1 }, 'kept.json')).toThrow(/kept.json: checkpoint 0 has no compact JWS/);
  });

  it('loads the key named by AUDIT_SIGNING_KEY_FILE and publishes only its public half', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'audit-key-'));
    try {
      const file = join(dir, 'audit.jwk.json');
      const generated = await generateAuditSigningKey();
      await writeFile(file, JSON.stringify(generated.privateJwk));
      const settings = readSettings({ AUDIT_SIGNING_KEY_FILE: file });
      const loaded = await loadAuditSigningKey(settings);
      expect(loaded.kid).toBe(generated.kid);
      const jwks = await readAuditPublicJwks(settings);
      expect(jwks.keys).toHaveLength(1);
      expect(jwks.keys[0]).not.toHaveProperty('d');
      const checkpoint = await signCheckpoint(loaded, { chain: 'cbp', seq: 1, headHash: 'c'.repeat(64), at: new Date(), kind: 'PERIODIC' });
      await expect(verifyCheckpoint(checkpoint.signature, jwks)).resolves.toMatchObject({ seq: 1 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
