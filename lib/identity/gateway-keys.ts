import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createLocalJWKSet, createRemoteJWKSet, errors, jwksCache } from 'jose';
import type { ExportedJWKSCache, FlattenedJWSInput, JWKSCacheInput, JWSHeaderParameters, JWTVerifyGetKey } from 'jose';
import { devIssuerDir } from './dev-issuer.js';
import { parsePublicJwks } from './jwk-validation.js';
import { ensureKeySetDir, WatchedKeySet, type LoadedKeySet } from './key-set-file.js';
import type { Settings } from '../config.js';

/**
 * Where the gateway's identity keys come from, on each side (SPEC section 2: trusted by URL or
 * file, never through shared storage).
 *
 * Gateway (signer): the key set in `GATEWAY_IDENTITY_KEY_FILE` (a key set, or a lone private JWK),
 * else `<DEV_ISSUER_DIR>/gateway-key/keys.json`, created on first use. Its public half is what the
 * gateway serves at `/.well-known/jwks.json`.
 *
 * Subgraph (verifier), first match wins: `GATEWAY_JWKS_URL` (the gateway's endpoint, fetched and
 * cached), `GATEWAY_IDENTITY_JWKS_FILE` (a public JWKS an operator copied), else the signer's own
 * key set on this host (the one-host development setup).
 */
export type GatewayIdentityKeys = Pick<Settings, 'gatewayIdentityKeyFile' | 'gatewayIdentityJwksFile' | 'gatewayJwksUrl' | 'devIssuerDir'>;

/** Under DEV_ISSUER_DIR: the gateway's development key set, when no key file is configured. */
export const GATEWAY_KEY_DIR = 'gateway-key';

/**
 * Remote JWKS caching. Load-bearing for rotation: a `next` key must be published for longer than
 * `cacheMaxAgeMs` before it signs (`npm run keys -- rotate` waits for KEY_PUBLICATION_LEAD_MS),
 * so every verifier has it by then; an unknown kid still triggers a refetch, at most once per
 * `cooldownMs`, for whatever slipped through.
 */
export interface RemoteJwksOptions {
  readonly cacheMaxAgeMs: number;
  readonly cooldownMs: number;
  /** Bound on one fetch: a hung endpoint fails the request it holds, it does not hang it. */
  readonly timeoutMs: number;
  /** While the endpoint cannot be reached, the last set fetched is used for this long past its fetch. */
  readonly maxStaleMs: number;
}

export const DEFAULT_REMOTE_JWKS: RemoteJwksOptions = { cacheMaxAgeMs: 60_000, cooldownMs: 10_000, timeoutMs: 2_000, maxStaleMs: 15 * 60_000 };

/** How long a `next` key is published before it may sign: the remote cache age, plus the signer's poll, with margin. */
export const KEY_PUBLICATION_LEAD_MS = 2 * DEFAULT_REMOTE_JWKS.cacheMaxAgeMs;

/** The verifier could not obtain the gateway's keys at all (as opposed to: the token matches none of them). */
export class GatewayKeysUnavailable extends Error {
  override readonly name = 'GatewayKeysUnavailable';
}

function configured(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

// One watcher per key file and process: the signer and the JWKS endpoint share its snapshot.
const watched = new Map<string, WatchedKeySet>();

/** The gateway's key set (signing key and public JWKS), re-read when the file changes. */
export function gatewayKeySet(keys: GatewayIdentityKeys): Promise<LoadedKeySet> {
  const file = configured(keys.gatewayIdentityKeyFile);
  const id = file === undefined ? `dir:${join(devIssuerDir({ DEV_ISSUER_DIR: keys.devIssuerDir }), GATEWAY_KEY_DIR)}` : `file:${resolve(file)}`;
  let watcher = watched.get(id);
  if (watcher === undefined) {
    watcher =
      file === undefined
        ? new WatchedKeySet(() => ensureKeySetDir(id.slice('dir:'.length)), `gateway key set ${id.slice('dir:'.length)}`)
        : new WatchedKeySet(() => Promise.resolve(resolve(file)), `GATEWAY_IDENTITY_KEY_FILE ${resolve(file)}`);
    watched.set(id, watcher);
  }
  return watcher.get();
}

const verifiers = new Map<string, JWTVerifyGetKey>();

/** The subgraph's key lookup for gateway identity tokens. */
export function gatewayVerificationKeys(keys: GatewayIdentityKeys, remote: RemoteJwksOptions = DEFAULT_REMOTE_JWKS): JWTVerifyGetKey {
  const url = configured(keys.gatewayJwksUrl);
  const jwksFile = configured(keys.gatewayIdentityJwksFile);
  const id = url !== undefined ? `url:${url}:${JSON.stringify(remote)}` : jwksFile !== undefined ? `jwks:${resolve(jwksFile)}` : 'signer';
  let verifier = verifiers.get(id);
  if (verifier === undefined) {
    if (url !== undefined) verifier = remoteKeys(new URL(url), remote);
    else if (jwksFile !== undefined) verifier = fileKeys(resolve(jwksFile), remote.cooldownMs);
    // Same host as the gateway: its own key set, read (not cached forever) so rotation reaches it.
    else verifier = async (header, token) => createLocalJWKSet((await gatewayKeySet(keys)).jwks)(header, token);
    if (id !== 'signer') verifiers.set(id, verifier);
  }
  return verifier;
}

/**
 * jose's remote key set (cached, refetched on an unknown kid after a cooldown, bounded fetch),
 * plus one thing it lacks: while the endpoint is down, the last set fetched keeps working for
 * `maxStaleMs`, so a gateway restart does not refuse every request its sibling gateways send.
 */
function remoteKeys(url: URL, options: RemoteJwksOptions): JWTVerifyGetKey {
  // jose writes each successful fetch here (`uat`: when), which is what the stale fallback reads.
  const cache: JWKSCacheInput = {};
  const getKey = createRemoteJWKSet(url, {
    cacheMaxAge: options.cacheMaxAgeMs,
    cooldownDuration: options.cooldownMs,
    timeoutDuration: options.timeoutMs,
    [jwksCache]: cache,
  });
  return async (header: JWSHeaderParameters, token: FlattenedJWSInput) => {
    try {
      return await getKey(header, token);
    } catch (error) {
      if (!isFetchFailure(error)) throw error;
      const unavailable = new GatewayKeysUnavailable(`the gateway's JWKS at ${url.href} could not be fetched: ${describe(error)}`, { cause: error });
      const last = fetched(cache);
      if (last === undefined || Date.now() - last.uat > options.maxStaleMs) throw unavailable;
      try {
        return await createLocalJWKSet(last.jwks)(header, token);
      } catch (staleError) {
        // A kid the old set lacks may well be in the set we cannot fetch: unavailable, not invalid.
        if (staleError instanceof errors.JWKSNoMatchingKey) throw unavailable;
        throw staleError;
      }
    }
  };
}

/** A JWKS file, re-read on an unknown kid (at most once per cooldown) so that a copied new set is picked up. */
function fileKeys(path: string, cooldownMs: number): JWTVerifyGetKey {
  let loaded: { readonly getKey: JWTVerifyGetKey; readonly at: number } | undefined;
  const load = async (): Promise<JWTVerifyGetKey> => {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      throw new GatewayKeysUnavailable(`GATEWAY_IDENTITY_JWKS_FILE ${path} cannot be read: ${describe(error)}`, { cause: error });
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new GatewayKeysUnavailable(`GATEWAY_IDENTITY_JWKS_FILE ${path} is not valid JSON`, { cause: error });
    }
    const getKey = createLocalJWKSet(parsePublicJwks(value, `GATEWAY_IDENTITY_JWKS_FILE ${path}`));
    loaded = { getKey, at: performance.now() };
    return getKey;
  };
  return async (header, token) => {
    const getKey = loaded?.getKey ?? (await load());
    try {
      return await getKey(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey) || loaded === undefined || performance.now() - loaded.at < cooldownMs) throw error;
      return (await load())(header, token);
    }
  };
}

function fetched(cache: JWKSCacheInput): ExportedJWKSCache | undefined {
  const { uat, jwks } = cache;
  return typeof uat === 'number' && jwks !== undefined ? { uat, jwks } : undefined;
}

/** Anything but "the set has no (single) key for this token" means the set itself could not be had. */
function isFetchFailure(error: unknown): boolean {
  return !(error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys || error instanceof errors.JOSENotSupported);
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));
