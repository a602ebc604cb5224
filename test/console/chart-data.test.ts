import { describe, expect, it } from 'vitest';
import type { AccessEvent } from '../../console/src/api/types.js';
import { orgDayGrid, readersOf, stack } from '../../console/src/charts/data.js';
import { timelineDomain } from '../../console/src/charts/timeline.js';

describe('accesses per org per day, as a grid', () => {
  const rows = [
    { day: '2026-11-22', org: 'cbp-tucson', count: 4 },
    { day: '2026-11-23', org: 'cbp-tucson', count: 6 },
    { day: '2026-11-23', org: 'ice-ero-phoenix', count: 20 },
  ];

  it('puts the busiest org first and counts per day and org', () => {
    const grid = orgDayGrid(rows);
    expect(grid.orgs).toEqual(['ice-ero-phoenix', 'cbp-tucson']);
    expect(grid.days).toEqual(['2026-11-22', '2026-11-23']);
    expect(grid.count('2026-11-23', 'cbp-tucson')).toBe(6);
    expect(grid.count('2026-11-22', 'ice-ero-phoenix')).toBe(0);
    expect(grid.total('2026-11-23')).toBe(26);
    expect(grid.max).toBe(26);
  });

  it('keeps quiet days in place when given every day of the window', () => {
    const grid = orgDayGrid(rows, ['2026-11-21', '2026-11-22', '2026-11-23']);
    expect(grid.days).toHaveLength(3);
    expect(grid.total('2026-11-21')).toBe(0);
  });
});

describe('stacking', () => {
  it('gives each value its segment, from zero up', () => {
    expect(stack([3, 0, 2])).toEqual([
      [0, 3],
      [3, 3],
      [3, 5],
    ]);
  });
});

const event = (overrides: Partial<AccessEvent>): AccessEvent => ({
  id: 'ice:1',
  at: '2026-11-23T20:00:00.000Z',
  requestId: 'r1',
  operationName: null,
  operationHash: null,
  subjectIss: 'tributary-dev-issuer',
  subjectSub: 'ice-officer@ice-ero-phoenix',
  subjectOrg: 'ice-ero-phoenix',
  agency: 'ICE',
  roles: ['officer'],
  purpose: 'CUSTODY_TRANSFER',
  justification: null,
  action: 'READ',
  recordType: 'Person',
  recordId: 'P-1',
  ownerOrg: 'ice-ero-phoenix',
  personId: 'P-1',
  decision: 'ALLOW',
  fieldsReleased: ['id'],
  fieldsRedacted: [],
  rules: ['owner.read'],
  service: 'ice',
  reason: null,
  chain: 'ice',
  seq: 1,
  item: 0,
  itemCount: 1,
  hash: 'a'.repeat(64),
  prevHash: 'b'.repeat(64),
  ...overrides,
});

describe("a person's readers", () => {
  const entries = [
    event({ id: 'ice:3', at: '2026-11-23T20:05:00.000Z', recordType: 'Transfer', recordId: 'T-1' }),
    event({ id: 'ice:1', at: '2026-11-23T20:00:00.000Z' }),
    event({ id: 'ngo:1', at: '2026-11-23T20:10:00.000Z', subjectSub: 'ngo-legal@ngo-frontera-legal', subjectOrg: 'ngo-frontera-legal', agency: 'NGO', purpose: 'LEGAL_SERVICES', recordType: 'Referral', recordId: 'RF-1' }),
    event({ id: 'cbp:1', at: '2026-11-23T19:00:00.000Z', subjectSub: 'cbp-agent@cbp-tucson', subjectOrg: 'cbp-tucson', agency: 'CBP', purpose: 'INTERDICTION', decision: 'DENY' }),
  ];

  it('groups entries by subject, most recent reader first, with why and what', () => {
    const readers = readersOf(entries);
    expect(readers.map((reader) => reader.subject)).toEqual(['ngo-legal@ngo-frontera-legal', 'ice-officer@ice-ero-phoenix', 'cbp-agent@cbp-tucson']);
    const ice = readers[1];
    expect(ice?.purposes).toEqual(['CUSTODY_TRANSFER']);
    expect(ice?.records).toEqual(['Person P-1', 'Transfer T-1']);
    expect(ice?.first).toBe('2026-11-23T20:00:00.000Z');
    expect(ice?.last).toBe('2026-11-23T20:05:00.000Z');
    expect(ice?.released).toBe(2);
    expect(readers[2]?.denied).toBe(1);
  });

  it('draws the entries\u2019 own span, padded, and at least a minute for a single instant', () => {
    const [from, to] = timelineDomain(entries);
    expect(from).toBeLessThan(Date.parse('2026-11-23T19:00:00.000Z'));
    expect(to).toBeGreaterThan(Date.parse('2026-11-23T20:10:00.000Z'));
    const single = timelineDomain([event({})]);
    expect(single[1] - single[0]).toBeGreaterThanOrEqual(60_000);
  });
});
