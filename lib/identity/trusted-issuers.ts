import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createLocalJWKSet, createRemoteJWKSet } from 'jose';
import type { JSONWebKeySet, JWTVerifyGetKey } from 'jose';
import { DEV_ISSUER, devIssuerDir, getDevIssuerJwks } from './dev-issuer.js';
import { isRecord, parsePublicJwks } from './jwk-validation.js';
import { environment, type Env } from '../config.js';

/** An issuer whose tokens are accepted, and where its verification keys come from. */
export type TrustedIssuer =
  | { readonly source: 'jwks'; readonly iss: string; readonly getKey: JWTVerifyGetKey }
  | { readonly source: 'jwksUri'; readonly iss: string; readonly jwksUri: URL; readonly getKey: JWTVerifyGetKey }
  | { readonly source: 'development'; readonly iss: string; readonly getKey: JWTVerifyGetKey };

/** Trusted issuers by their exact `iss` value. */
export type TrustedIssuers = ReadonlyMap<string, TrustedIssuer>;

export interface LoadTrustedIssuersOptions {
  /**
   * The trusted issuers file; `undefined` means none. When the property is absent it is read from
   * env `TRUSTED_ISSUERS_FILE`.
   */
  readonly file?: string | undefined;
  /** Default: env `NODE_ENV` is `production`. */
  readonly production?: boolean;
  /** Where the development issuer's key lives (default: env `DEV_ISSUER_DIR`, else `<repo>/.dev-issuer/`). */
  readonly devIssuerDir?: string;
  /** Environment for the settings not given above (default: the process environment, through lib/config.ts). */
  readonly env?: Env;
}

/**
 * The issuers this service trusts (SPEC sections 2 and 8): those listed in the trusted issuers
 * file, plus the development issuer unless in production.
 *
 * Load-bearing: in production the development issuer is trusted only if the file lists it (with
 * its public keys), because its private key sits unprotected on a developer's disk. Production
 * without a file therefore trusts no one and refuses every token; callers should warn when the
 * returned map is empty. A malformed file throws an Error naming the file and the problem.
 */
export async function loadTrustedIssuers(options: LoadTrustedIssuersOptions = {}): Promise<TrustedIssuers> {
  const env = options.env ?? environment();
  const production = options.production ?? env['NODE_ENV'] === 'production';
  const fileName = ('file' in options ? options.file : env['TRUSTED_ISSUERS_FILE'])?.trim();
  const issuers = new Map<string, TrustedIssuer>(
    fileName === undefined || fileName === '' ? [] : await readTrustedIssuersFile(resolve(fileName)),
  );
  if (!production && !issuers.has(DEV_ISSUER)) {
    const jwks = await getDevIssuerJwks({ dir: options.devIssuerDir ?? devIssuerDir(env) });
    issuers.set(DEV_ISSUER, { source: 'development', iss: DEV_ISSUER, getKey: createLocalJWKSet(jwks) });
  }
  return issuers;
}

/** Trusts exactly one issuer with the given public keys (tests, embedding). */
export function trustIssuer(iss: string, jwks: JSONWebKeySet): TrustedIssuers {
  const keys = parsePublicJwks(jwks, `issuer "${iss}"`);
  return new Map([[iss, { source: 'jwks', iss, getKey: createLocalJWKSet(keys) }]]);
}

async function readTrustedIssuersFile(path: string): Promise<TrustedIssuers> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`Trusted issuers file ${path} cannot be read: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch (error) {
    throw new Error(`Trusted issuers file ${path} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return parseTrustedIssuers(config, `Trusted issuers file ${path}`);
}

/**
 * Validates `{"issuers":[{"iss":"...","jwks":{"keys":[...]}} | {"iss":"...","jwksUri":"..."}]}`.
 * Unknown members are refused so that a typo (`jwks_uri`) fails loudly instead of silently
 * trusting nothing; `where` prefixes every message so the operator knows which file to fix.
 */
export function parseTrustedIssuers(config: unknown, where: string): TrustedIssuers {
  if (!isRecord(config) || !Array.isArray(config['issuers'])) {
    throw new Error(`${where}: expected {"issuers": [...]}`);
  }
  const issuers = new Map<string, TrustedIssuer>();
  (config['issuers'] as readonly unknown[]).forEach((entry, index) => {
    const at = `${where}: issuers[${index}]`;
    const issuer = parseIssuerEntry(entry, at);
    if (issuers.has(issuer.iss)) throw new Error(`${at}: issuer "${issuer.iss}" is listed twice`);
    issuers.set(issuer.iss, issuer);
  });
  return issuers;
}

function parseIssuerEntry(entry: unknown, at: string): TrustedIssuer {
  if (!isRecord(entry)) throw new Error(`${at} must be an object`);
  const unknownMembers = Object.keys(entry).filter((member) => !['iss', 'jwks', 'jwksUri'].includes(member));
  if (unknownMembers.length > 0) {
    throw new Error(`${at} has unknown member(s) ${unknownMembers.map((m) => `"${m}"`).join(', ')}; expected "iss" and "jwks" or "jwksUri"`);
  }
  const iss = entry['iss'];
  if (typeof iss !== 'string' || iss.trim() === '') throw new Error(`${at}.iss must be a non-empty string`);
  const hasJwks = entry['jwks'] !== undefined;
  const hasUri = entry['jwksUri'] !== undefined;
  if (hasJwks === hasUri) throw new Error(`${at} ("${iss}") needs exactly one of "jwks" or "jwksUri"`);
  if (hasJwks) {
    const jwks = parsePublicJwks(entry['jwks'], `${at} ("${iss}")`);
    return { source: 'jwks', iss, getKey: createLocalJWKSet(jwks) };
  }
  const jwksUri = parseJwksUri(entry['jwksUri'], `${at}.jwksUri ("${iss}")`);
  // jose caches the fetched set and refetches (with a cooldown) when a token names an unknown kid.
  return { source: 'jwksUri', iss, jwksUri, getKey: createRemoteJWKSet(jwksUri) };
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function parseJwksUri(value: unknown, at: string): URL {
  if (typeof value !== 'string') throw new Error(`${at} must be a URL string`);
  let url: URL;
  try {
    url = new URL(value);
  } catch (error) {
    throw new Error(`${at} is not a valid URL`, { cause: error });
  }
  // Keys fetched over plain HTTP could be swapped in transit, which would let anyone mint tokens.
  const allowed = url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
  if (!allowed) throw new Error(`${at} must use https (plain http only for localhost)`);
  return url;
}
