import { TributaryError } from '../../lib/errors.js';
import { operationHash, type PersistedOperations } from './manifest.js';

/**
 * Turns each operation of a request body that names a persisted operation
 * (`extensions.persistedQuery.sha256Hash`, version 1) into the operation itself, before Apollo
 * Server sees the body: the manifest's text becomes its `query`, the manifest's name its
 * `operationName` unless the client gave one, and the extension is removed.
 *
 * Why here and not Apollo's automatic persisted queries (APQ): APQ lets any client *register* a
 * text under its hash by sending both, so an allowlist made of APQ's cache would let any client
 * add to it. The gateway turns APQ off (`persistedQueries: false`) and looks hashes up here, in
 * the read-only manifest only; a request that sends a text along with a hash runs that text,
 * and only when the hash is the text's own (the allowlist then judges the text by its own hash,
 * never by the hash the client claims). Doing it before Apollo also means every later step
 * (authentication's operation hash, the audit entries, the allowlist, the limits) sees the text
 * that will run.
 *
 * `operations` is undefined when no manifest is configured: then every hash is unknown.
 */
export function resolvePersistedQueries(body: unknown, operations: PersistedOperations | undefined): unknown {
  return Array.isArray(body) ? body.map((operation: unknown) => resolveOne(operation, operations)) : resolveOne(body, operations);
}

function resolveOne(operation: unknown, operations: PersistedOperations | undefined): unknown {
  if (!isRecord(operation) || !isRecord(operation['extensions']) || !('persistedQuery' in operation['extensions'])) return operation;
  const { persistedQuery, ...otherExtensions } = operation['extensions'];
  if (!isRecord(persistedQuery) || persistedQuery['version'] !== 1) {
    throw new TributaryError('BAD_USER_INPUT', 'Unsupported persisted query: expected extensions.persistedQuery {"version": 1, "sha256Hash"}', { httpStatus: 400 });
  }
  const hash = persistedQuery['sha256Hash'];
  if (typeof hash !== 'string' || hash === '') {
    throw new TributaryError('BAD_USER_INPUT', 'Persisted query without extensions.persistedQuery.sha256Hash', { httpStatus: 400 });
  }
  const { query, operationName } = operation;
  if (typeof query === 'string') {
    // Apollo's convention for a text sent with a hash, and a registration attempt under APQ:
    // nothing is registered; the text runs only if the hash is its own.
    if (operationHash(query) !== hash) throw new TributaryError('BAD_USER_INPUT', 'provided sha does not match query', { httpStatus: 400 });
    return { ...operation, extensions: otherExtensions };
  }
  const persisted = operations?.get(hash.toLowerCase());
  // Apollo's code and message: Apollo clients answer it by sending the full text.
  if (persisted === undefined) throw new TributaryError('PERSISTED_QUERY_NOT_FOUND', 'PersistedQueryNotFound', { details: { sha256Hash: hash.slice(0, 64) } });
  return {
    ...operation,
    query: persisted.body,
    operationName: typeof operationName === 'string' ? operationName : persisted.name,
    extensions: otherExtensions,
  };
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
