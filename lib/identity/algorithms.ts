/**
 * The only JWS algorithms Tributary accepts (SPEC section 2). Pinning them on every verify call is
 * what defeats `alg: none` and the HS256 key-confusion attack, where a token is "signed" with an
 * issuer's *public* key used as an HMAC secret: a verifier that lets the token choose its algorithm
 * would accept it.
 */
export const ALLOWED_ALGORITHMS = ['ES256', 'EdDSA', 'RS256'] as const;
export type AllowedAlgorithm = (typeof ALLOWED_ALGORITHMS)[number];

export const isAllowedAlgorithm = (value: unknown): value is AllowedAlgorithm =>
  typeof value === 'string' && (ALLOWED_ALGORITHMS as readonly string[]).includes(value);
