import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAuditSigningKey, publicJwksOf, signCheckpoint, type AuditSigningKey } from '../../lib/audit/index.js';
import { buildProof } from '../../lib/audit/proof-build.js';
import { verifyProof } from '../../lib/audit/proof-verify.js';
import type { AuditProof } from '../../lib/audit/proof.js';
import type { JSONWebKeySet } from 'jose';
import { aHeader, appendEvents, checkpointHead, items, legacyContent } from './event-fixtures.js';
import { openTestStore, STORE_KINDS, tamper, type TestStore } from './stores.js';

/** A proof as JSON, as an auditor saves it; tests alter copies of it. */
type Json = Record<string, unknown> & { [key: string]: unknown };
const copy = (proof: AuditProof): Json => JSON.parse(JSON.stringify(proof)) as Json;
const member = (o: Json, key: string): Json => o[key] as Json;

describe.each(STORE_KINDS)('inclusion proofs on %s', (kind) => {
  let t: TestStore;
  let key: AuditSigningKey;
  let jwks: JSONWebKeySet;
  const chain = 'cbp';

  async function proofOf(id: string): Promise<AuditProof> {
    const found = await buildProof(t.store, id);
    if (found.kind !== 'proof') throw new Error(`no proof of ${id}: ${found.kind}`);
    return found.proof;
  }

  beforeAll(async () => {
    t = await openTestStore(kind);
    key = await generateAuditSigningKey();
    jwks = publicJwksOf(key);
    // seq 1-2 legacy entries, 3-4 events, checkpoint at 4; 5-6 events, checkpoint at 6; 7 uncovered.
    await appendEvents(t.store, chain, [
      { version: 1, content: legacyContent('route-legacy-1') },
      { version: 1, content: legacyContent('route-legacy-2', { subject: null, reason: 'token expired', action: 'AUTHENTICATE', decision: 'DENY' }) },
      { version: 2, header: aHeader(), items: items(1) },
      { version: 2, header: aHeader({ requestId: 'req-2', justification: 'case "7" \\ ünïcode ✓' }), items: items(7) },
    ]);
    await checkpointHead(t.store, key, chain);
    await appendEvents(t.store, chain, [
      { version: 2, header: aHeader({ requestId: 'req-3' }), items: items(70, 100) },
      { version: 2, header: aHeader({ requestId: 'req-4', subject: null, reason: 'no subject' }), items: items(3, 200) },
    ]);
    await checkpointHead(t.store, key, chain);
    await appendEvents(t.store, chain, [{ version: 2, header: aHeader({ requestId: 'req-5' }), items: items(2, 300) }]);
  });
  afterAll(() => t.dispose());

  it('proves every item of every covered event, legacy entries included, up to the first checkpoint at or after it', async () => {
    const sizes: Record<number, number> = { 1: 1, 2: 1, 3: 1, 4: 7, 5: 70, 6: 3 };
    for (const [seq, size] of Object.entries(sizes).map(([s, n]) => [Number(s), n] as const)) {
      for (let item = 0; item < size; item++) {
        const proof = await proofOf(`${chain}:${seq}.${item}`);
        expect(proof.tree_size).toBe(size);
        expect(proof.links).toHaveLength((seq <= 4 ? 4 : 6) - seq);
        const verdict = await verifyProof(copy(proof), jwks);
        expect(verdict, `${chain}:${seq}.${item}`).toMatchObject({ valid: true, entry: `${chain}:${seq}.${item}`, checkpoint: { seq: seq <= 4 ? 4 : 6, keyId: key.kid } });
      }
    }
  });

  it('shows a legacy entry with an empty path and its tributary-audit/1 canonical entry', async () => {
    const proof = await proofOf(`${chain}:2.0`);
    expect(proof.event.version).toBe(1);
    expect(proof.path).toEqual([]);
    expect(proof.event.items_root).toBeNull();
    expect(JSON.parse(proof.event.header)[0]).toBe('tributary-audit/1');
    expect(proof.event.fields).toMatchObject({ subjectSub: null, reason: 'token expired', itemCount: 1 });
  });

  it('answers "no such entry" for an unknown event or item, "malformed" for a non-id, and "not covered" before a checkpoint', async () => {
    expect(await buildProof(t.store, `${chain}:99.0`)).toEqual({ kind: 'no-such-entry' });
    expect(await buildProof(t.store, `${chain}:4.7`)).toEqual({ kind: 'no-such-entry' });
    expect(await buildProof(t.store, `ice:1.0`)).toEqual({ kind: 'no-such-entry' });
    expect(await buildProof(t.store, `${chain}:4`)).toEqual({ kind: 'malformed-id' });
    expect(await buildProof(t.store, `'; DROP TABLE audit.events; --`)).toEqual({ kind: 'malformed-id' });
    expect(await buildProof(t.store, `${chain}:7.1`)).toEqual({ kind: 'not-covered', chain, seq: 7 });
  });

  it('names an altered item: its canonical text, the fields shown, or the id', async () => {
    const proof = copy(await proofOf(`${chain}:5.3`));
    const text = member(proof, 'item')['canonical'] as string;
    const altered = copy(proof as unknown as AuditProof);
    member(altered, 'item')['canonical'] = text.replace('route-103', 'route-999');
    member(member(altered, 'item'), 'fields')['recordId'] = 'route-999';
    expect(await verifyProof(altered, jwks)).toMatchObject({ valid: false, failure: 'ALTERED_ITEM' });

    const lying = copy(proof as unknown as AuditProof);
    member(member(lying, 'item'), 'fields')['decision'] = 'ALLOW';
    member(member(lying, 'item'), 'fields')['fieldsRedacted'] = [];
    expect(await verifyProof(lying, jwks)).toMatchObject({ valid: false, failure: 'ALTERED_ITEM' });

    const header = copy(proof as unknown as AuditProof);
    member(member(header, 'event'), 'fields')['subjectSub'] = 'someone-else';
    expect(await verifyProof(header, jwks)).toMatchObject({ valid: false, failure: 'ALTERED_ITEM' });

    const moved = copy(proof as unknown as AuditProof);
    member(moved, 'item')['id'] = `${chain}:6.3`;
    expect(await verifyProof(moved, jwks)).toMatchObject({ valid: false, failure: 'ALTERED_ITEM' });
  });

  it('names a wrong path: a changed sibling hash, index, size, or a hash missing', async () => {
    const proof = await proofOf(`${chain}:5.41`);
    const cases: ((p: Json) => void)[] = [
      (p) => {
        const path = [...(p['path'] as string[])];
        path[2] = (path[2] as string).replace(/^./, (c) => (c === '0' ? '1' : '0'));
        p['path'] = path;
      },
      (p) => {
        p['leaf_index'] = 40;
        member(p, 'item')['id'] = `${chain}:5.40`;
      },
      (p) => {
        p['tree_size'] = 71;
      },
      (p) => {
        p['path'] = (p['path'] as string[]).slice(0, -1);
      },
    ];
    for (const alter of cases) {
      const p = copy(proof);
      alter(p);
      expect(await verifyProof(p, jwks)).toMatchObject({ valid: false, failure: 'WRONG_PATH' });
    }
  });

  it('names a broken link: an altered header, a later event altered or left out', async () => {
    const proof = await proofOf(`${chain}:3.0`);
    const header = copy(proof);
    const event = member(header, 'event');
    event['header'] = (event['header'] as string).replace('analyst@cbp-tucson', 'analyst@cbp-yuma');
    member(event, 'fields')['subjectSub'] = 'analyst@cbp-yuma';
    expect(await verifyProof(header, jwks)).toMatchObject({ valid: false, failure: 'BROKEN_LINK' });

    const link = copy(proof);
    const [first] = link['links'] as Json[];
    (first as Json)['items_root'] = 'f'.repeat(64);
    expect(await verifyProof(link, jwks)).toMatchObject({ valid: false, failure: 'BROKEN_LINK' });

    const gap = copy(await proofOf(`${chain}:1.0`));
    gap['links'] = (gap['links'] as Json[]).filter((l) => l['seq'] !== 3);
    expect(await verifyProof(gap, jwks)).toMatchObject({ valid: false, failure: 'BROKEN_LINK' });
  });

  it('checks the signature with the JWKS only: an unknown key id, an impostor key under a trusted id, a forged payload', async () => {
    const proof = await proofOf(`${chain}:4.2`);
    const other = await generateAuditSigningKey();
    expect(await verifyProof(copy(proof), publicJwksOf(other))).toMatchObject({ valid: false, failure: 'UNKNOWN_KEY' });
    expect(await verifyProof(copy(proof), { keys: [] })).toMatchObject({ valid: false, failure: 'UNKNOWN_KEY' });

    // Signed by the attacker's key, claiming the trusted key's id: the trusted key rejects it.
    const claim = { chain, seq: proof.checkpoint.seq, headHash: proof.checkpoint.head_hash, at: new Date(proof.checkpoint.at), kind: 'PERIODIC' as const };
    const forged = await signCheckpoint({ ...other, kid: key.kid }, claim);
    const impostor = copy(proof);
    member(impostor, 'checkpoint')['jws'] = forged.signature;
    expect(await verifyProof(impostor, jwks)).toMatchObject({ valid: false, failure: 'BAD_SIGNATURE' });

    const swapped = copy(proof);
    const [head, , sig] = proof.checkpoint.jws.split('.');
    const payload = Buffer.from(JSON.stringify({ typ: 'tributary-audit-checkpoint', ...claim, seq: 5, at: claim.at.toISOString() })).toString('base64url');
    member(swapped, 'checkpoint')['jws'] = `${head ?? ''}.${payload}.${sig ?? ''}`;
    expect(await verifyProof(swapped, jwks)).toMatchObject({ valid: false, failure: 'BAD_SIGNATURE' });
  });

  it('names a checkpoint of another position or head, even when genuinely signed', async () => {
    const proof = await proofOf(`${chain}:5.0`);
    const older = await proofOf(`${chain}:4.0`);
    const other = copy(proof);
    other['checkpoint'] = copy(older)['checkpoint'];
    expect(await verifyProof(other, jwks)).toMatchObject({ valid: false, failure: 'CHECKPOINT_MISMATCH' });

    const fake = await signCheckpoint(key, { chain, seq: 6, headHash: 'e'.repeat(64), at: new Date(), kind: 'PERIODIC' });
    const head = copy(proof);
    head['checkpoint'] = { ...member(head, 'checkpoint'), jws: fake.signature, head_hash: fake.headHash, at: fake.at.toISOString() };
    expect(await verifyProof(head, jwks)).toMatchObject({ valid: false, failure: 'CHECKPOINT_MISMATCH' });

    const shown = copy(proof);
    member(shown, 'checkpoint')['at'] = '2020-01-01T00:00:00.000Z';
    expect(await verifyProof(shown, jwks)).toMatchObject({ valid: false, failure: 'CHECKPOINT_MISMATCH' });
  });

  it('calls malformed what is not shaped as a proof', async () => {
    const proof = await proofOf(`${chain}:4.1`);
    const without = copy(proof);
    delete member(without, 'event')['prev_hash'];
    const badKid = copy(proof);
    member(badKid, 'checkpoint')['key_id'] = 'someone-else';
    for (const value of [null, 42, 'proof', [], {}, without, badKid, { ...copy(proof), path: 'not a list' }, { ...copy(proof), format: 'other/1' }]) {
      expect(await verifyProof(value, jwks)).toMatchObject({ valid: false, failure: 'MALFORMED' });
    }
  });

  it('yields a proof that fails when the stored log was altered under it', async () => {
    await tamper(t.store, `UPDATE audit.events SET items = replace(items, 'route-202', 'route-666') WHERE chain = 'cbp' AND seq = 6`);
    const verdict = await verifyProof(copy(await proofOf(`${chain}:6.2`)), jwks);
    expect(verdict.valid).toBe(false);
    // The other items of that event lead to the stored root no longer either: nothing proves.
    expect((await verifyProof(copy(await proofOf(`${chain}:6.0`)), jwks)).valid).toBe(false);
  });
});
