import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { JSONWebKeySet } from 'jose';
import { parsePublicJwks } from '../identity/jwk-validation.js';

/**
 * The audit service's public keys as a verifier obtains them: from a JWKS file an auditor keeps,
 * or from the audit service's `/.well-known/jwks.json` URL (SPEC section 2: trusted by URL or
 * file, never through shared storage). The result is a plain public key set, usable with
 * `verifyCheckpoint` and `verifyChains({ jwks })`.
 *
 * The set is fetched whole, once per call: a verifier checks a batch of checkpoints against one
 * consistent set, and retired audit keys stay published (checkpoints they signed are kept), so
 * nothing is gained by refetching per kid as the gateway-identity verifier does.
 */
export const JWKS_FETCH_TIMEOUT_MS = 5_000;
/** A key set is a few kilobytes; anything much larger is not one (and must not fill memory). */
const MAX_JWKS_BYTES = 512 * 1024;

export class JwksLoadError extends Error {
  override readonly name = 'JwksLoadError';
}

export interface LoadJwksOptions {
  /** Bound on the whole request (default 5 s): an unreachable audit service fails, it does not hang. */
  readonly timeoutMs?: number;
}

/** `source`: an `http(s)://` URL of a JWKS, or a path to a JWKS file. Throws JwksLoadError naming the source. */
export async function loadJwks(source: string, options: LoadJwksOptions = {}): Promise<JSONWebKeySet> {
  const trimmed = source.trim();
  if (trimmed === '') throw new JwksLoadError('loadJwks: the JWKS source is empty; give a file path or an http(s) URL');
  const text = isUrl(trimmed) ? await fetchText(new URL(trimmed), options.timeoutMs ?? JWKS_FETCH_TIMEOUT_MS) : await readText(resolve(trimmed));
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new JwksLoadError(`${trimmed}: not valid JSON`, { cause: error });
  }
  try {
    // Refuses private or symmetric members: a verifier never needs them, and finding one means a leak.
    return parsePublicJwks(value, trimmed);
  } catch (error) {
    throw new JwksLoadError(error instanceof Error ? error.message : String(error), { cause: error });
  }
}

const isUrl = (source: string): boolean => /^https?:\/\//i.test(source);

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new JwksLoadError(`${path}: cannot read the JWKS file: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

async function fetchText(url: URL, timeoutMs: number): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, { headers: { accept: 'application/json' }, redirect: 'error', signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new JwksLoadError(`${url.href}: the JWKS could not be fetched: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new JwksLoadError(`${url.href}: the JWKS endpoint answered HTTP ${response.status}`);
  }
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > MAX_JWKS_BYTES) {
    await response.body?.cancel();
    throw new JwksLoadError(`${url.href}: the JWKS is larger than ${MAX_JWKS_BYTES} bytes`);
  }
  const text = await response.text();
  if (text.length > MAX_JWKS_BYTES) throw new JwksLoadError(`${url.href}: the JWKS is larger than ${MAX_JWKS_BYTES} bytes`);
  return text;
}
