import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK } from 'jose';
import type { JSONWebKeySet, JWK } from 'jose';
import type { AllowedAlgorithm } from './algorithms.js';
import { isOneOf } from '../domain.js';
import { isRecord, parsePrivateJwk, publicJwkOf } from './jwk-validation.js';

/**
 * A signer's key set: several private keys, each in one state, so that keys rotate without
 * downtime (SPEC section 2: a new key is published before it signs).
 *
 * - `next`: published in the JWKS, never used to sign yet. Verifiers learn it ahead of need.
 * - `current`: the one key that signs.
 * - `retired`: signs no more, still published, so that what it signed keeps verifying.
 *
 * On disk (`keys.json`, or the file an operator names):
 * `{"keys":[{"state":"current","since":"<ISO time it entered that state>","jwk":{<private JWK>}}]}`.
 * A bare private JWK (the format before rotation existed) reads as a set of one current key.
 */
export const KEY_STATES = ['next', 'current', 'retired'] as const;
export type KeyState = (typeof KEY_STATES)[number];
const isKeyState = isOneOf(KEY_STATES);

export interface KeySetEntry {
  readonly state: KeyState;
  /** When the key entered its state: a `next` key's publication, a `retired` key's retirement. */
  readonly since: Date;
  /** The private JWK, with `kid`, `alg` and `use: "sig"`. */
  readonly jwk: JWK;
  readonly kid: string;
  readonly alg: AllowedAlgorithm;
  /**
   * False only for a lone private JWK written without a kid (the format before rotation): it
   * signs without one, so that it still matches a JWKS an operator published without kids.
   */
  readonly signsWithKid: boolean;
}

export interface KeySet {
  readonly entries: readonly KeySetEntry[];
}

/** What signs: the current key, imported. */
export interface SigningKey {
  readonly privateKey: CryptoKey;
  /** The `kid` header to sign with (undefined: none, see `signsWithKid`). */
  readonly kid: string | undefined;
  readonly alg: AllowedAlgorithm;
  readonly publicJwk: JWK;
}

/** Validates a key set read from `where`; throws naming it and the faulty entry. */
export async function parseKeySet(value: unknown, where: string): Promise<KeySet> {
  if (isRecord(value) && value['keys'] === undefined && typeof value['kty'] === 'string') {
    // A lone private JWK: the key that signs, with no rotation prepared yet.
    return { entries: [await entryOf('current', new Date(0), value, where)] };
  }
  if (!isRecord(value) || !Array.isArray(value['keys'])) {
    throw new Error(`${where}: expected {"keys":[{"state","since","jwk"}...]} or a single private JWK`);
  }
  const entries: KeySetEntry[] = [];
  for (const [index, item] of (value['keys'] as unknown[]).entries()) {
    const at = `${where}: keys[${index}]`;
    if (!isRecord(item)) throw new Error(`${at} must be an object with "state", "since" and "jwk"`);
    const { state, since, jwk } = item;
    if (!isKeyState(state)) throw new Error(`${at}.state must be one of ${KEY_STATES.join(', ')}`);
    const when = typeof since === 'string' ? new Date(since) : undefined;
    if (when === undefined || Number.isNaN(when.getTime())) throw new Error(`${at}.since must be an ISO date-time`);
    entries.push(await entryOf(state, when, jwk, at));
  }
  const set: KeySet = { entries };
  checkKeySet(set, where);
  return set;
}

/** Exactly one current key and distinct kids: anything else would make "who signs" ambiguous. */
export function checkKeySet(set: KeySet, where: string): void {
  const current = set.entries.filter((entry) => entry.state === 'current').length;
  if (current !== 1) throw new Error(`${where}: a key set needs exactly one "current" key, found ${current}`);
  const kids = new Set(set.entries.map((entry) => entry.kid));
  if (kids.size !== set.entries.length) throw new Error(`${where}: two keys share a kid`);
}

export function serializeKeySet(set: KeySet): string {
  const keys = set.entries.map((entry) => ({ state: entry.state, since: entry.since.toISOString(), jwk: entry.jwk }));
  return `${JSON.stringify({ keys }, null, 2)}\n`;
}

export function currentEntry(set: KeySet): KeySetEntry {
  const current = set.entries.find((entry) => entry.state === 'current');
  if (current === undefined) throw new Error('key set has no current key');
  return current;
}

/** What verifiers are given: every key's public half, next and retired included (never a private member). */
export function publicJwksOfSet(set: KeySet): JSONWebKeySet {
  return { keys: set.entries.map((entry) => publicOf(entry)) };
}

export async function signingKeyOf(set: KeySet, where: string): Promise<SigningKey> {
  const { jwk, kid, alg, signsWithKid } = currentEntry(set);
  const privateKey = await importJWK(jwk, alg).catch((error: unknown) => {
    throw new Error(`${where}: the current key cannot be imported for ${alg}`, { cause: error });
  });
  if (privateKey instanceof Uint8Array) throw new Error(`${where}: expected an asymmetric key`);
  return { privateKey, kid: signsWithKid ? kid : undefined, alg, publicJwk: publicOf(currentEntry(set)) };
}

/** A fresh ES256 key in the given state. */
export async function generateEntry(state: KeyState, since: Date): Promise<KeySetEntry> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const exported = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(publicJwkOf(exported));
  return { state, since, jwk: { ...exported, kid, alg: 'ES256', use: 'sig' }, kid, alg: 'ES256', signsWithKid: true };
}

/**
 * A new set: a current key (the given private JWK, validated here, or a fresh one) and a next key
 * already published beside it.
 */
export async function newKeySet(now: Date, current?: unknown): Promise<KeySet> {
  const first = current === undefined ? await generateEntry('current', now) : await entryOf('current', now, current, 'existing key');
  return { entries: [first, await generateEntry('next', now)] };
}

export type RotationResult =
  | { readonly outcome: 'rotated'; readonly set: KeySet; readonly signing: string; readonly retired: string; readonly next: string }
  | { readonly outcome: 'prepared'; readonly set: KeySet; readonly next: string; readonly usableAfter: Date }
  | { readonly outcome: 'too-soon'; readonly set: KeySet; readonly next: string; readonly usableAfter: Date };

/**
 * next → current, current → retired, and a new next published for the rotation after this one.
 * Load-bearing: the next key must have been published for `minPublishedMs` (long enough for every
 * verifier's cached JWKS to have picked it up), or tokens it signs would be refused until their
 * caches refresh. Without a next key (a set written before rotation existed) one is added first
 * and nothing signs with it yet.
 */
export async function rotateKeySet(set: KeySet, now: Date, minPublishedMs: number): Promise<RotationResult> {
  const next = set.entries.find((entry) => entry.state === 'next');
  if (next === undefined) {
    const added = await generateEntry('next', now);
    return { outcome: 'prepared', set: { entries: [...set.entries, added] }, next: added.kid, usableAfter: new Date(now.getTime() + minPublishedMs) };
  }
  const usableAfter = new Date(next.since.getTime() + minPublishedMs);
  if (now < usableAfter) return { outcome: 'too-soon', set, next: next.kid, usableAfter };
  const current = currentEntry(set);
  const following = await generateEntry('next', now);
  const entries = set.entries.map((entry): KeySetEntry => {
    if (entry === next) return { ...entry, state: 'current', since: now };
    if (entry === current) return { ...entry, state: 'retired', since: now };
    return entry;
  });
  return { outcome: 'rotated', set: { entries: [...entries, following] }, signing: next.kid, retired: current.kid, next: following.kid };
}

/**
 * Drops retired keys retired longer than `keepMs` ago: nothing they signed can still be live.
 * Only for signatures with a bounded life (the gateway's identity tokens); the audit service's
 * checkpoints are kept indefinitely, so its retired keys are never pruned.
 */
export function pruneKeySet(set: KeySet, now: Date, keepMs: number): { readonly set: KeySet; readonly dropped: readonly string[] } {
  const expired = (entry: KeySetEntry): boolean => entry.state === 'retired' && now.getTime() - entry.since.getTime() > keepMs;
  return { set: { entries: set.entries.filter((entry) => !expired(entry)) }, dropped: set.entries.filter(expired).map((entry) => entry.kid) };
}

async function entryOf(state: KeyState, since: Date, value: unknown, where: string): Promise<KeySetEntry> {
  const { jwk, alg } = parsePrivateJwk(value, where);
  const declared = typeof jwk.kid === 'string' && jwk.kid !== '';
  const kid = declared && typeof jwk.kid === 'string' ? jwk.kid : await calculateJwkThumbprint(publicJwkOf(jwk));
  return { state, since, jwk: { ...jwk, kid, alg, use: 'sig' }, kid, alg, signsWithKid: declared };
}

// Always with its kid: a token signed without one still matches it (jose filters by kid only when the token names one).
function publicOf(entry: KeySetEntry): JWK {
  return { ...publicJwkOf(entry.jwk), kid: entry.kid, alg: entry.alg, use: 'sig' };
}
