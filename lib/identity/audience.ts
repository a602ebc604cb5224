import { environment, type Env } from '../config.js';

/**
 * The audience user tokens must name (SPEC section 2: `tributary`, configurable). Operators whose
 * identity provider issues tokens for another audience set `TOKEN_AUDIENCE`; every service must see
 * the same value, or the gateway would accept tokens that the subgraphs then refuse.
 */
export const DEFAULT_AUDIENCE = 'tributary';

export function tokenAudience(env: Env = environment()): string {
  const configured = env['TOKEN_AUDIENCE']?.trim();
  return configured === undefined || configured === '' ? DEFAULT_AUDIENCE : configured;
}
