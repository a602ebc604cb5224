export { ALLOWED_ALGORITHMS, isAllowedAlgorithm } from './algorithms.js';
export type { AllowedAlgorithm } from './algorithms.js';
export { DEFAULT_AUDIENCE, tokenAudience } from './audience.js';
export { AUTHENTICATION_FAILURES, authenticationError } from './authentication-error.js';
export type { AuthenticationFailure } from './authentication-error.js';
export { DEFAULT_TOKEN_TTL_SECONDS, DEV_ISSUER, devIssuerDir, getDevIssuerJwks, getDevIssuerKey, mintToken } from './dev-issuer.js';
export type { DevIssuerOptions, MintTokenOptions } from './dev-issuer.js';
export { PERSONAS, PERSONA_NAMES, isPersonaName } from './personas.js';
export type { PersonaName } from './personas.js';
export { JUSTIFICATION_HEADER, MAX_JUSTIFICATION_LENGTH, PURPOSE_HEADER, resolvePurpose } from './purpose.js';
export type { PurposeHeaders, PurposeOfUse } from './purpose.js';
export {
  GATEWAY_AUDIENCE,
  GATEWAY_IDENTITY_CLOCK_TOLERANCE_SECONDS,
  GATEWAY_IDENTITY_HEADER,
  GATEWAY_IDENTITY_TTL_SECONDS,
  GATEWAY_ISSUER,
  gatewayPublicJwks,
  isGatewayIdentityRequired,
  signGatewayIdentity,
  verifyGatewayIdentity,
} from './service-identity.js';
export type { GatewayIdentityKeys, GatewayIdentityOptions } from './service-identity.js';
export { DEFAULT_REMOTE_JWKS, GATEWAY_KEY_DIR, GatewayKeysUnavailable, KEY_PUBLICATION_LEAD_MS } from './gateway-keys.js';
export type { RemoteJwksOptions } from './gateway-keys.js';
export { isJurisdiction, parseSubjectClaims } from './subject-claims.js';
export type { SubjectClaims } from './subject-claims.js';
export { loadTrustedIssuers, parseTrustedIssuers, trustIssuer } from './trusted-issuers.js';
export type { LoadTrustedIssuersOptions, TrustedIssuer, TrustedIssuers } from './trusted-issuers.js';
export { VerifiedTokenCache } from './verified-token-cache.js';
export type { TokenLifetime, VerifiedTokenCacheOptions } from './verified-token-cache.js';
export { DEFAULT_CLOCK_TOLERANCE_SECONDS, DEFAULT_TOKEN_CACHE, DEFAULT_TOKEN_MAX_LIFETIME_SECONDS, createTokenVerifier } from './verify-token.js';
export type { TokenVerifier, TokenVerifierOptions } from './verify-token.js';
