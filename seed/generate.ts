import { DEFAULT_NOW } from './clock.js';
import { generateAnchors } from './generate/anchors.js';
import { generateBookings } from './generate/bookings.js';
import { WorldBuilder } from './generate/builder.js';
import { generateEncounters } from './generate/encounters.js';
import { generateMovements } from './generate/movements.js';
import { generateNetworks } from './generate/networks.js';
import { generateProviders } from './generate/providers.js';
import { generateReferrals } from './generate/referrals.js';
import { generateRoutes } from './generate/routes.js';
import { Random } from './random.js';
import { scaleFactor, targetCounts, type Scale } from './scale.js';
import type { World } from './world.js';

export interface GenerateOptions {
  /** `small` (the default, for tests), `medium`, `large` (100,000+ transfers) or a factor >= 1. */
  readonly scale?: Scale;
  /** Any 32-bit integer; the same seed, scale and now give the same world. */
  readonly seed?: number;
  /** The reference time every timestamp is drawn against; never the system clock. */
  readonly now?: Date;
}

export const DEFAULT_SEED = 1367;

/**
 * Generates the synthetic world: pure and deterministic (no I/O, no clock, no Math.random).
 *
 * Order matters: routes before the networks that operate them, providers before the
 * referrals that name them, the anchored scenarios before the random population (so they
 * keep the lowest ids and their people stay out of the random draws), encounters and
 * bookings before the moves and referrals that follow from them.
 */
export function generateWorld(options: GenerateOptions = {}): World {
  const factor = scaleFactor(options.scale ?? 'small');
  const seed = options.seed ?? DEFAULT_SEED;
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  const now = new Date((options.now ?? DEFAULT_NOW).getTime());
  if (Number.isNaN(now.getTime())) throw new RangeError('now must be a valid Date');

  const random = new Random(seed);
  const builder = new WorldBuilder(now, targetCounts(factor));
  generateRoutes(builder, random.fork('routes'));
  generateNetworks(builder, random.fork('networks'));
  generateProviders(builder, random.fork('providers'));
  generateAnchors(builder, random.fork('anchors'));
  generateEncounters(builder, random.fork('encounters'));
  generateBookings(builder, random.fork('bookings'));
  generateMovements(builder, random.fork('movements'));
  generateReferrals(builder, random.fork('referrals'));
  return builder.finish({ seed, factor, now });
}
