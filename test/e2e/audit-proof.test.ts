import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAuditSigningKey, publicJwksOf } from '../../lib/audit/index.js';
import { verifyProof } from '../../lib/audit/proof-verify.js';
import { parseProof } from '../../lib/audit/proof.js';
import { readSettings } from '../../lib/config.js';
import { accessLog, asAuditor } from '../support/audit-log.js';
import { startTestFederation, type TestFederation } from '../support/federation.js';
import { asPersona } from '../support/http-client.js';

/**
 * Inclusion proofs through the real services: a record released to an analyst, its AccessEvent
 * id read back by an auditor, its proof fetched with `accessEventProof` (what the console's
 * "Download proof" saves) once the audit service's checkpointer has signed past it, and that
 * proof verified with no database, against the audit service's public key set only.
 */
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);
const PROOF_QUERY = 'query Proof($id: ID!) { accessEventProof(id: $id) }';

describe('inclusion proofs, end to end', () => {
  let fed: TestFederation;
  let dir: string;
  let key: Awaited<ReturnType<typeof generateAuditSigningKey>>;
  let jwksFile: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'audit-proof-e2e-'));
    key = await generateAuditSigningKey();
    const keyFile = join(dir, 'audit.jwk.json');
    await writeFile(keyFile, JSON.stringify(key.privateJwk));
    // The audit service's published keys (SPEC 2); served at /.well-known/jwks.json once issue 13
    // lands, kept here as the file an auditor would have saved.
    jwksFile = join(dir, 'jwks.json');
    await writeFile(jwksFile, JSON.stringify(publicJwksOf(key)));
    fed = await startTestFederation({
      settings: readSettings({ ...process.env, DATABASE_URL: undefined, LOG_LEVEL: 'silent', AUDIT_SIGNING_KEY_FILE: keyFile }),
    });
  });
  afterAll(async () => {
    await fed?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** The proof once a checkpoint covers the entry (the checkpointer signs every 10 s). */
  async function proofOf(id: string): Promise<string> {
    const deadline = Date.now() + 40_000;
    for (;;) {
      const { body } = await asAuditor(fed, PROOF_QUERY, { id });
      const proof = body.data?.['accessEventProof'];
      if (typeof proof === 'string') return proof;
      const [error] = body.errors ?? [];
      expect(error?.extensions?.['code'], JSON.stringify(body)).toBe('SERVICE_UNAVAILABLE');
      expect(error?.message).toBe(`No signed checkpoint covers ${id} yet; retry after the next checkpoint (every 10 s)`);
      if (Date.now() > deadline) throw new Error(`no checkpoint covered ${id} within 40 s`);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }

  it('proves a record an analyst read, and the proof verifies with the JWKS alone, in process and through npm run audit:verify-proof', async () => {
    const response = await asPersona(fed, 'ice-analyst', 'INVESTIGATION', '{ transfers(first: 5) { edges { node { id status } } } }');
    expect(response.body.errors ?? []).toEqual([]);
    const requestId = response.requestId ?? '';
    const reads = await accessLog(fed, { requestId, action: 'READ' });
    expect(reads).toHaveLength(5);
    const entry = reads[3];
    if (entry === undefined) throw new Error('no READ entry');
    expect(entry.id).toMatch(/^[a-z0-9][a-z0-9_.-]*:[1-9][0-9]*\.(0|[1-9][0-9]*)$/);

    const text = await proofOf(entry.id);
    const proof = parseProof(JSON.parse(text));
    expect(proof.item.id).toBe(entry.id);
    expect(proof.item.fields).toMatchObject({ recordId: entry.recordId, decision: 'ALLOW' });
    expect(proof.event.fields).toMatchObject({ requestId, subjectSub: 'ice-analyst@ice-hsi-tucson', purpose: 'INVESTIGATION', recordType: 'Transfer', service: 'ice' });
    // Its event holds the request's Transfer reads that were appended together (one or more).
    expect(proof.tree_size).toBe(proof.event.fields.itemCount);
    expect(proof.leaf_index).toBeLessThan(proof.tree_size);
    expect(proof.checkpoint.key_id).toBe(key.kid);

    expect(await verifyProof(JSON.parse(text), publicJwksOf(key))).toMatchObject({ valid: true, entry: entry.id });
    const file = join(dir, 'proof.json');
    await writeFile(file, text);
    const { stdout } = await run('npx', ['tsx', 'scripts/audit-verify-proof.ts', file, '--jwks', jwksFile], { cwd: REPO, env: { ...process.env, DATABASE_URL: '' } });
    expect(stdout).toMatch(new RegExp(`^VALID: ${entry.id.replace(/\./g, '\\.')} is in chain `));

    // The auditor's read of the proof is itself in the log.
    const fetched = await asAuditor(fed, PROOF_QUERY, { id: entry.id });
    const { body } = await asAuditor(fed, 'query($f: AccessLogFilter) { accessLog(filter: $f, first: 5) { edges { node { subjectSub decision reason } } } }', {
      f: { requestId: fetched.requestId, action: 'AUDIT_READ' },
    });
    const logged = (body.data?.['accessLog'] as { edges: { node: { subjectSub: string; decision: string; reason: string } }[] }).edges.map((edge) => edge.node);
    expect(logged).toEqual([expect.objectContaining({ subjectSub: 'auditor@oversight-privacy', decision: 'ALLOW', reason: expect.stringContaining(`accessEventProof "${entry.id}"`) })]);
  }, 120_000);

  it('answers null for no such entry, BAD_USER_INPUT for a malformed id, and refuses non-auditors', async () => {
    const missing = await asAuditor(fed, PROOF_QUERY, { id: 'ice:99999999.0' });
    expect(missing.body).toEqual({ data: { accessEventProof: null } });
    const malformed = await asAuditor(fed, PROOF_QUERY, { id: 'not-an-id' });
    expect(malformed.body.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    const analyst = await asPersona(fed, 'ice-analyst', 'INVESTIGATION', PROOF_QUERY, { id: 'ice:1.0' });
    expect(analyst.body.data?.['accessEventProof'] ?? null).toBeNull();
    expect(analyst.body.errors?.[0]?.extensions?.['code']).toMatch(/^(FORBIDDEN|PURPOSE_REQUIRED)$/);
  });
});
