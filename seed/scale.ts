/**
 * How big a world to generate. `small` is what tests use: the smallest world in which every
 * policy rule of SPEC section 5 can be observed on both sides. A number multiplies it.
 */
export type Scale = 'small' | 'medium' | 'large' | number;

/** Target counts; persons follow from the events (about 300 in the small world). */
export interface Counts {
  readonly networks: number;
  readonly routes: number;
  readonly encounters: number;
  readonly bookings: number;
  readonly transfers: number;
  readonly referrals: number;
  readonly providers: number;
}

const SMALL: Counts = {
  networks: 20,
  routes: 24,
  encounters: 180,
  bookings: 60,
  transfers: 200,
  referrals: 80,
  providers: 12,
};

/** `large` is sized for the benchmark: at least 100,000 transfers. */
const FACTORS = { small: 1, medium: 10, large: 500 } as const;

export function scaleFactor(scale: Scale): number {
  if (typeof scale === 'string') {
    const factor = (FACTORS as Readonly<Record<string, number>>)[scale];
    if (factor === undefined) throw new RangeError(`Unknown scale "${String(scale)}": use small, medium, large or a number >= 1`);
    return factor;
  }
  // Below 1 the anchored scenarios would crowd out the random population they are compared with.
  if (!Number.isFinite(scale) || scale < 1) throw new RangeError(`Scale factor must be a finite number >= 1, got ${scale}`);
  return scale;
}

export function targetCounts(factor: number): Counts {
  const times = (n: number): number => Math.round(n * factor);
  return {
    networks: times(SMALL.networks),
    routes: times(SMALL.routes),
    encounters: times(SMALL.encounters),
    bookings: times(SMALL.bookings),
    transfers: times(SMALL.transfers),
    referrals: times(SMALL.referrals),
    providers: times(SMALL.providers),
  };
}

/** Parses a command-line value (`small`, `medium`, `large` or a number). */
export function parseScale(text: string): Scale {
  if (text === 'small' || text === 'medium' || text === 'large') return text;
  const factor = Number(text);
  if (text.trim() === '' || !Number.isFinite(factor)) throw new RangeError(`--scale must be small, medium, large or a number, got "${text}"`);
  scaleFactor(factor);
  return factor;
}
