import { readFileSync } from 'node:fs';
import { parse, type EnumTypeDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { PURPOSES } from '../../lib/domain.js';
import { repoPath } from '../../lib/paths.js';
import {
  ACTIVITY_LEVELS,
  DEFAULT_NOW,
  DETAINER_STATUSES,
  DISPOSITIONS,
  MODALITIES,
  NETWORK_KINDS,
  NETWORK_STATUSES,
  REFERRAL_SERVICES,
  REFERRAL_STATUSES,
  THREAT_LEVELS,
  TRANSFER_STATUSES,
  countRows,
  generateWorld,
  parseScale,
  scaleFactor,
} from '../../seed/index.js';

describe('generateWorld', () => {
  it('gives a deep-equal world for the same seed, scale and now', () => {
    expect(generateWorld({ seed: 7 })).toStrictEqual(generateWorld({ seed: 7 }));
  });

  it('gives a different world for a different seed', () => {
    const one = generateWorld({ seed: 7 });
    const other = generateWorld({ seed: 8 });
    expect(other.ice.persons.map((person) => person.name)).not.toEqual(one.ice.persons.map((person) => person.name));
    expect(other.cbp.routes.map((route) => route.waypoints)).not.toEqual(one.cbp.routes.map((route) => route.waypoints));
  });

  it('draws every timestamp against the given now, never the clock', () => {
    const now = new Date('2030-01-01T00:00:00Z');
    const world = generateWorld({ now });
    expect(world.meta.now).toEqual(now);
    const latest = Math.max(...world.ice.transfers.map((transfer) => transfer.updatedAt.getTime()));
    expect(latest).toBeLessThanOrEqual(now.getTime());
    expect(latest).toBeGreaterThan(now.getTime() - 30 * 86_400_000);
    expect(generateWorld().meta.now).toEqual(DEFAULT_NOW);
  });

  it('has the small counts a test can afford', () => {
    const counts = countRows(generateWorld());
    expect(counts['ice.transfers']).toBe(200);
    expect(counts['cbp.encounters']).toBe(180);
    expect(counts['partner.bookings']).toBe(60);
    expect(counts['ngo.referrals']).toBe(80);
    expect(counts['ngo.consents']).toBe(80);
    expect(counts['ice.networks']).toBe(20);
    expect(counts['cbp.routes']).toBe(24);
    expect(counts['ngo.providers']).toBe(12);
    expect(counts['ice.persons']).toBeGreaterThan(250);
    expect(counts['ice.persons']).toBeLessThan(400);
  });

  it('makes ids readable and sortable: one width per kind, in creation order', () => {
    const world = generateWorld();
    const cases: readonly [readonly { readonly id: string }[], RegExp][] = [
      [world.ice.persons, /^P-\d{6}$/],
      [world.ice.networks, /^N-\d{4}$/],
      [world.cbp.routes, /^R-\d{4}$/],
      [world.cbp.encounters, /^E-\d{6}$/],
      [world.ice.transfers, /^T-\d{6}$/],
      [world.partner.bookings, /^B-\d{6}$/],
      [world.ngo.referrals, /^RF-\d{6}$/],
      [world.ngo.providers, /^PV-\d{4}$/],
    ];
    for (const [rows, shape] of cases) {
      const ids = rows.map((row) => row.id);
      for (const id of ids) expect(id).toMatch(shape);
      expect(new Set(ids).size).toBe(ids.length);
      expect([...ids].sort()).toEqual(ids);
    }
  });

  it('refuses options it cannot honour, saying why', () => {
    expect(() => generateWorld({ scale: 0.5 })).toThrow(/>= 1/);
    expect(() => generateWorld({ scale: Number.NaN })).toThrow(/finite/);
    expect(() => generateWorld({ seed: 1.5 })).toThrow(/seed must be an integer/);
    expect(() => generateWorld({ now: new Date('nonsense') })).toThrow(/valid Date/);
    expect(() => scaleFactor('huge' as 'small')).toThrow(/Unknown scale "huge"/);
  });
});

describe('parseScale', () => {
  it('reads names and factors from the command line', () => {
    expect(parseScale('small')).toBe('small');
    expect(parseScale('large')).toBe('large');
    expect(parseScale('3')).toBe(3);
    expect(() => parseScale('')).toThrow(/--scale/);
    expect(() => parseScale('big')).toThrow(/--scale/);
    expect(() => parseScale('0')).toThrow(/>= 1/);
  });
});

describe('the seed vocabulary', () => {
  // The enumerations are repeated in seed/vocabulary.ts; the SDL is the contract.
  const enums = new Map<string, readonly string[]>();
  for (const name of ['cbp', 'ice', 'partner', 'ngo']) {
    const document = parse(readFileSync(repoPath('schema', `${name}.graphql`), 'utf8'));
    for (const definition of document.definitions) {
      if (definition.kind !== 'EnumTypeDefinition') continue;
      const node: EnumTypeDefinitionNode = definition;
      enums.set(node.name.value, (node.values ?? []).map((value) => value.name.value));
    }
  }

  it.each([
    ['Modality', MODALITIES],
    ['ActivityLevel', ACTIVITY_LEVELS],
    ['EncounterDisposition', DISPOSITIONS],
    ['NetworkKind', NETWORK_KINDS],
    ['ThreatLevel', THREAT_LEVELS],
    ['NetworkStatus', NETWORK_STATUSES],
    ['TransferStatus', TRANSFER_STATUSES],
    ['DetainerStatus', DETAINER_STATUSES],
    ['ReferralService', REFERRAL_SERVICES],
    ['ReferralStatus', REFERRAL_STATUSES],
    ['Purpose', PURPOSES],
  ])('matches the SDL enum %s', (name, values) => {
    expect([...values].sort()).toEqual([...(enums.get(name) ?? [])].sort());
  });
});
