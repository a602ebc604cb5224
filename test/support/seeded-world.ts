import { generateWorld, pickFixtures, type Fixtures, type World } from '../../seed/index.js';

/**
 * The world `startTestFederation()` seeds (scale small, the default seed and reference time),
 * generated again in the test process so that tests can name records by what they are
 * (`pickFixtures`) rather than by id. Generated once per test file.
 */
export interface SeededWorld {
  readonly world: World;
  readonly fixtures: Fixtures;
  /** The seed's reference time: freeze the federation's clock here so consent expiry and the
   *  five-year review are judged as the fixtures were picked. */
  readonly now: Date;
}

let seeded: SeededWorld | undefined;

export function seededWorld(): SeededWorld {
  if (!seeded) {
    const world = generateWorld({ scale: 'small' });
    seeded = { world, fixtures: pickFixtures(world), now: world.meta.now };
  }
  return seeded;
}

/** A federation clock frozen at the seed's reference time. */
export const frozenClock = (now: Date) => (): Date => new Date(now.getTime());
