import { describe, expect, it } from 'vitest';
import { generateWorld, pickFixtures } from '../../seed/index.js';

describe('the large world', () => {
  it('holds at least 100,000 transfers, and the same kinds of records as the small one', () => {
    const started = performance.now();
    const world = generateWorld({ scale: 'large' });
    const elapsed = performance.now() - started;
    expect(world.ice.transfers.length).toBeGreaterThanOrEqual(100_000);
    expect(world.ice.persons.length).toBeGreaterThan(100_000);
    expect(world.cbp.encounters.length).toBe(90_000);
    expect(world.ngo.referrals.length).toBe(40_000);
    // Ids widen when the default width is too narrow, and stay sortable as text.
    const networks = world.ice.networks.map((network) => network.id);
    expect(networks[0]).toBe('N-00001');
    expect([...networks].sort()).toEqual(networks);
    // The anchored scenarios are there at every scale.
    expect(() => pickFixtures(world)).not.toThrow();
    // A few seconds on a quiet machine; generous here because test files run in parallel.
    expect(elapsed).toBeLessThan(30_000);
  }, 60_000);
});
