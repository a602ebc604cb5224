/**
 * A seeded pseudo-random source (mulberry32). The same seed gives the same world on every
 * machine and Node version, which `Math.random` cannot promise. Not for anything secret.
 */
export class Random {
  readonly #seed: number;
  #state: number;

  constructor(seed: number) {
    this.#seed = seed >>> 0;
    this.#state = this.#seed;
  }

  /**
   * An independent stream for one part of the world. Each part draws from its own stream, so
   * that drawing one more value for routes does not reshuffle every person after it.
   */
  fork(label: string): Random {
    // FNV-1a over the label, mixed with this stream's seed.
    let hash = 0x811c9dc5 ^ this.#seed;
    for (let i = 0; i < label.length; i += 1) hash = Math.imul(hash ^ label.charCodeAt(i), 0x01000193);
    return new Random(hash >>> 0);
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  /** An integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** A float in [min, max). */
  float(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('Random.pick needs at least one item');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** One of the keys, with probability proportional to its weight. */
  weighted<T extends string>(weights: Readonly<Partial<Record<T, number>>>): T {
    // Two passes with for-in rather than Object.entries: this runs for nearly every row of a
    // large world, and the arrays it would allocate are most of the garbage.
    let total = 0;
    for (const key in weights) total += weights[key] ?? 0;
    let draw = this.next() * total;
    let last: T | undefined;
    for (const key in weights) {
      const weight = weights[key] ?? 0;
      if (weight <= 0) continue;
      last = key;
      draw -= weight;
      if (draw < 0) return key;
    }
    if (last === undefined) throw new RangeError('Random.weighted needs at least one positive weight');
    return last;
  }

  /** `count` distinct items in random order (all of them if there are fewer). */
  sample<T>(items: readonly T[], count: number): T[] {
    if (count * 4 >= items.length) return this.shuffle(items).slice(0, count);
    // Few from many: draw indices instead of shuffling the whole list.
    const chosen = new Set<number>();
    while (chosen.size < count) chosen.add(Math.floor(this.next() * items.length));
    return [...chosen].map((index) => items[index] as T);
  }

  /** A shuffled copy (Fisher-Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i -= 1) {
      const j = Math.floor(this.next() * (i + 1));
      const held = copy[i] as T;
      copy[i] = copy[j] as T;
      copy[j] = held;
    }
    return copy;
  }
}
