import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';

/** The format marker and version of an Apollo persisted-query manifest (SPEC 8). */
export const MANIFEST_FORMAT = 'apollo-persisted-query-manifest';
export const MANIFEST_VERSION = 1;

export const OPERATION_TYPES = ['query', 'mutation', 'subscription'] as const;
export type OperationType = (typeof OPERATION_TYPES)[number];

/** One reviewed operation: `id` is the SHA-256 (hex) of `body`, the text that runs. */
export interface PersistedOperation {
  readonly id: string;
  readonly name: string;
  readonly type: OperationType;
  readonly body: string;
}

/** The manifest as a file holds it; `manifestJson` writes it, `parseManifest` reads it back. */
export interface Manifest {
  readonly format: typeof MANIFEST_FORMAT;
  readonly version: typeof MANIFEST_VERSION;
  readonly operations: readonly PersistedOperation[];
}

/** The SHA-256 (hex) of an operation's text: its manifest id, and the hash audit entries name. */
export const operationHash = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The operations of a manifest by id: what the gateway looks hashes up in. */
export class PersistedOperations {
  private readonly byId: ReadonlyMap<string, PersistedOperation>;

  constructor(
    /** Where the manifest came from, for messages. */
    readonly source: string,
    operations: readonly PersistedOperation[],
  ) {
    this.byId = new Map(operations.map((operation) => [operation.id, operation]));
  }

  get size(): number {
    return this.byId.size;
  }

  get(id: string): PersistedOperation | undefined {
    return this.byId.get(id);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }
}

/**
 * Reads and validates a manifest at start-up. Any fault stops the service with an Error naming
 * the file and the entry: an allowlist that loaded half, or an id that does not hash its body
 * (which would let a reviewed id run an unreviewed text), must never serve.
 */
export async function loadManifest(file: string): Promise<PersistedOperations> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`Persisted operations file ${file} cannot be read: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return new PersistedOperations(file, parseManifest(text, file));
}

/** The validation of `loadManifest`, on a manifest's text; `file` names it in messages. */
export function parseManifest(text: string, file: string): PersistedOperation[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(`Persisted operations file ${file} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (!isRecord(parsed)) throw new Error(`Persisted operations file ${file}: expected an object {"format","version","operations"}`);
  if (parsed['format'] !== MANIFEST_FORMAT) {
    throw new Error(`Persisted operations file ${file}: "format" must be "${MANIFEST_FORMAT}", got ${JSON.stringify(parsed['format'])}`);
  }
  if (parsed['version'] !== MANIFEST_VERSION) {
    throw new Error(`Persisted operations file ${file}: "version" must be ${MANIFEST_VERSION}, got ${JSON.stringify(parsed['version'])}`);
  }
  const entries = parsed['operations'];
  if (!Array.isArray(entries)) throw new Error(`Persisted operations file ${file}: "operations" must be an array`);
  const seen = new Map<string, number>();
  return entries.map((entry: unknown, index) => {
    const at = `Persisted operations file ${file}, operations[${index}]`;
    const operation = persistedOperation(entry, at);
    const first = seen.get(operation.id);
    if (first !== undefined) throw new Error(`${at} (${operation.name}): id ${operation.id} is already used by operations[${first}]`);
    seen.set(operation.id, index);
    return operation;
  });
}

function persistedOperation(entry: unknown, at: string): PersistedOperation {
  if (!isRecord(entry)) throw new Error(`${at}: expected an object {"id","name","type","body"}`);
  const { id, name, type, body } = entry;
  if (typeof name !== 'string' || name === '') throw new Error(`${at}: "name" must be a non-empty string`);
  const named = `${at} (${name})`;
  if (typeof id !== 'string' || !/^[0-9a-f]{64}$/.test(id)) throw new Error(`${named}: "id" must be a SHA-256 in lowercase hex, got ${JSON.stringify(id)}`);
  if (!isOperationType(type)) throw new Error(`${named}: "type" must be one of ${OPERATION_TYPES.join(', ')}, got ${JSON.stringify(type)}`);
  if (typeof body !== 'string' || body.trim() === '') throw new Error(`${named}: "body" must be a non-empty string`);
  const actual = operationHash(body);
  if (actual !== id) throw new Error(`${named}: "id" ${id} is not the SHA-256 of its body (${actual})`);
  return { id, name, type, body };
}

const isOperationType = (value: unknown): value is OperationType => typeof value === 'string' && (OPERATION_TYPES as readonly string[]).includes(value);

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
