import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadManifest, operationHash, parseManifest } from '../../../gateway/persisted-operations/index.js';
import { readSettings } from '../../../lib/config.js';

const BODY = 'query RouteCount {\n  routes(first: 1) {\n    totalCount\n  }\n}';
const ENTRY = { id: operationHash(BODY), name: 'RouteCount', type: 'query', body: BODY };
const OTHER_BODY = 'query Other {\n  routes {\n    totalCount\n  }\n}';
const manifest = (operations: unknown[], extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations, ...extra });

describe('a persisted operations manifest', () => {
  it('is read into its operations by id', () => {
    expect(parseManifest(manifest([ENTRY]), 'ops.json')).toEqual([ENTRY]);
  });

  // Each bad manifest stops the gateway at start-up with a message naming the file and the entry.
  it.each([
    ['not JSON', '{"format": ', /^Persisted operations file ops\.json is not valid JSON/],
    ['not an object', '[]', /^Persisted operations file ops\.json: expected an object/],
    ['a wrong format marker', manifest([ENTRY], { format: 'relay' }), /^Persisted operations file ops\.json: "format" must be "apollo-persisted-query-manifest", got "relay"$/],
    ['a wrong version', manifest([ENTRY], { version: 2 }), /^Persisted operations file ops\.json: "version" must be 1, got 2$/],
    ['no operations array', manifest([ENTRY], { operations: {} }), /^Persisted operations file ops\.json: "operations" must be an array$/],
    ['an entry that is not an object', manifest([ENTRY, 'x']), /^Persisted operations file ops\.json, operations\[1\]: expected an object/],
    ['an entry without a name', manifest([{ ...ENTRY, name: undefined }]), /^Persisted operations file ops\.json, operations\[0\]: "name" must be a non-empty string$/],
    ['an entry without an id', manifest([{ ...ENTRY, id: undefined }]), /operations\[0\] \(RouteCount\): "id" must be a SHA-256 in lowercase hex, got undefined$/],
    ['an id that is not hex', manifest([{ ...ENTRY, id: 'RouteCount' }]), /operations\[0\] \(RouteCount\): "id" must be a SHA-256 in lowercase hex, got "RouteCount"$/],
    ['an unknown type', manifest([{ ...ENTRY, type: 'fragment' }]), /operations\[0\] \(RouteCount\): "type" must be one of query, mutation, subscription, got "fragment"$/],
    ['a body that is not a string', manifest([{ ...ENTRY, body: 42 }]), /operations\[0\] \(RouteCount\): "body" must be a non-empty string$/],
    ['an id that is not the SHA-256 of its body', manifest([{ ...ENTRY, body: OTHER_BODY }]), /operations\[0\] \(RouteCount\): "id" [0-9a-f]{64} is not the SHA-256 of its body \([0-9a-f]{64}\)$/],
    ['the same id twice', manifest([ENTRY, { ...ENTRY, name: 'Again' }]), /operations\[1\] \(Again\): id [0-9a-f]{64} is already used by operations\[0\]$/],
  ])('refuses %s', (_case, text, message) => {
    expect(() => parseManifest(text, 'ops.json')).toThrow(message);
  });

  describe('as a file', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'tributary-manifest-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('is loaded and looked up by hash', async () => {
      const file = join(dir, 'ok.json');
      await writeFile(file, manifest([ENTRY]));
      const operations = await loadManifest(file);
      expect(operations.get(ENTRY.id)).toEqual(ENTRY);
      expect(operations.has(operationHash(OTHER_BODY))).toBe(false);
    });

    it('that cannot be read stops the service naming it', async () => {
      const file = join(dir, 'missing.json');
      await expect(loadManifest(file)).rejects.toThrow(`Persisted operations file ${file} cannot be read`);
    });
  });
});

describe('the persisted operations settings', () => {
  it('are off unless a manifest is named', () => {
    expect(readSettings({}).persistedOperations).toEqual({ mode: 'none' });
  });

  it('accept hashes from a manifest, and with PERSISTED_OPERATIONS_ONLY nothing else', () => {
    expect(readSettings({ PERSISTED_OPERATIONS_FILE: 'ops.json' }).persistedOperations).toEqual({ mode: 'listed', file: 'ops.json' });
    expect(readSettings({ PERSISTED_OPERATIONS_FILE: 'ops.json', PERSISTED_OPERATIONS_ONLY: 'on' }).persistedOperations).toEqual({ mode: 'only', file: 'ops.json' });
  });

  it('stop the service when the allowlist is on without a manifest', () => {
    expect(() => readSettings({ PERSISTED_OPERATIONS_ONLY: 'on' })).toThrow(/^PERSISTED_OPERATIONS_ONLY is on but PERSISTED_OPERATIONS_FILE is not set/);
    expect(() => readSettings({ PERSISTED_OPERATIONS_FILE: 'ops.json', PERSISTED_OPERATIONS_ONLY: 'sometimes' })).toThrow(/^PERSISTED_OPERATIONS_ONLY must be on\/off/);
  });
});
