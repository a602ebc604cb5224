import type { Settings } from '../lib/config.js';
import { parseScale, type Scale } from '../seed/index.js';

/**
 * Whether (and how large) `npm start` seeds an empty store: the embedded store is seeded
 * (SEED_SCALE, else small); a real PostgreSQL only when SEED_SCALE is set, so that of several
 * services sharing one database only the one told to seeds it.
 */
export function seedScaleOf(settings: Settings): Scale | false {
  const configured = settings.seedScale;
  if (configured === undefined) return settings.databaseUrl === undefined ? 'small' : false;
  if (configured === 'off') return false;
  return parseScale(configured);
}
