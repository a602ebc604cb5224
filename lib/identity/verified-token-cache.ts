import type { Principal } from '../domain.js';

/** The time claims of a verified token, in seconds since the epoch, as its payload carried them. */
export interface TokenLifetime {
  readonly exp: number;
  readonly nbf?: number | undefined;
  readonly iat?: number | undefined;
}

export interface VerifiedTokenCacheOptions {
  /** At most this many tokens are remembered; the oldest is forgotten first. */
  readonly maxEntries: number;
  /**
   * How long a verification is reused at most, however far off the token's `exp` is. Bounds how
   * long a key withdrawn from a remote JWKS keeps verifying tokens it signed.
   */
  readonly ttlSeconds: number;
  /** Tolerated clock skew, the verifier's own: the time checks below must decide as jose does. */
  readonly clockToleranceSeconds: number;
}

interface Entry {
  readonly principal: Principal;
  readonly lifetime: TokenLifetime;
  /** Milliseconds since the epoch after which the entry is verified afresh. */
  readonly reuseUntil: number;
}

/**
 * Tokens that passed full verification, by their exact compact string, so that a caller's next
 * requests (and the gateway's fan-out to every subgraph, each verifying the same token) skip the
 * signature check: an ES256 verify is a quarter of a millisecond of CPU, every request, in every
 * service. Only successes are remembered: a refused token is refused by full verification every
 * time, with the same reason as before.
 *
 * A hit still applies the token's time claims against the current clock with the same clock
 * tolerance as jose (`exp`, `nbf`, and the verifier's own `iat` check), so a cached token stops
 * working exactly when it would have without the cache. An entry that fails them, or has been
 * reused for `ttlSeconds`, is dropped, and the token goes through full verification again,
 * which gives the refusal its usual message.
 *
 * The key is the whole token: a token differing in any byte (another signature, another claim)
 * is another key, and its first use is verified in full. One cache belongs to one verifier, so
 * audience and trusted issuers are fixed for it.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, Entry>();
  private readonly options: VerifiedTokenCacheOptions;

  constructor(options: VerifiedTokenCacheOptions) {
    if (!Number.isSafeInteger(options.maxEntries) || options.maxEntries < 1) {
      throw new Error(`VerifiedTokenCache: maxEntries must be a whole number of at least 1, got ${options.maxEntries}`);
    }
    if (!(options.ttlSeconds > 0)) throw new Error(`VerifiedTokenCache: ttlSeconds must be positive, got ${options.ttlSeconds}`);
    this.options = options;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The principal of a token verified earlier that is still valid at `now`, else `undefined`. */
  get(token: string, now: Date): Principal | undefined {
    const entry = this.entries.get(token);
    if (entry === undefined) return undefined;
    if (now.getTime() > entry.reuseUntil || !this.isCurrent(entry.lifetime, now)) {
      this.entries.delete(token);
      return undefined;
    }
    return entry.principal;
  }

  /** Remembers a token that has just passed full verification at `now`. */
  set(token: string, principal: Principal, lifetime: TokenLifetime, now: Date): void {
    const expiresAt = (lifetime.exp + this.options.clockToleranceSeconds) * 1000;
    const reuseUntil = Math.min(expiresAt, now.getTime() + this.options.ttlSeconds * 1000);
    // Re-inserting moves the token to the back of the eviction order.
    this.entries.delete(token);
    while (this.entries.size >= this.options.maxEntries) {
      // Maps iterate in insertion order: the first key is the entry stored longest ago.
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
    this.entries.set(token, { principal, lifetime, reuseUntil });
  }

  /**
   * jose's own rules (whole seconds, `now` rounded down): expired when `exp <= now - tolerance`,
   * not yet valid when `nbf > now + tolerance`; the verifier refuses `iat > now + tolerance`
   * (unrounded). Checked again here so that a clock that moved in either direction decides.
   */
  private isCurrent(lifetime: TokenLifetime, now: Date): boolean {
    const tolerance = this.options.clockToleranceSeconds;
    const seconds = now.getTime() / 1000;
    const whole = Math.floor(seconds);
    if (lifetime.exp <= whole - tolerance) return false;
    if (lifetime.nbf !== undefined && lifetime.nbf > whole + tolerance) return false;
    if (lifetime.iat !== undefined && lifetime.iat > seconds + tolerance) return false;
    return true;
  }
}
