import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { repoPath } from '../../lib/paths.js';
import { raw, sql } from '../../lib/store/index.js';
import { countRows, generateWorld, isSeeded, seedIfEmpty, seedStore, truncateSeedTables } from '../../seed/index.js';
import { arrayLiteral } from '../../seed/columns.js';
import { openTestStore, type TestStore } from '../support/store.js';

/**
 * Runs on the embedded store; on a database of its own when DATABASE_URL is set (npm test's
 * second pass). One migrated store for the file, emptied before each test.
 */

let open: TestStore;
beforeAll(async () => {
  open = await openTestStore();
});
beforeEach(async () => {
  await truncateSeedTables(open.store);
});
afterAll(async () => {
  await open.close();
});

async function countTables(test: TestStore, tables: readonly string[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  // Table names come from countRows' keys (constants), never input.
  for (const table of tables) {
    const [row] = await test.store.query(sql`SELECT count(*)::int AS n FROM ${raw(table)}`);
    counts[table] = Number(row?.n);
  }
  return counts;
}

describe('seedStore', () => {
  it('loads the small world with exactly its rows per table', async () => {
    const world = generateWorld();
    expect(await isSeeded(open.store)).toBe(false);
    const expected = await seedStore(open.store, world);
    expect(expected).toEqual(countRows(world));
    expect(await countTables(open, Object.keys(expected))).toEqual(expected);
    expect(await isSeeded(open.store)).toBe(true);
  });

  it('round-trips values of every column type: arrays, jsonb, dates, timestamps, nulls', async () => {
    const world = generateWorld();
    // Chunks of seven rows: many statements, and a last chunk of one row.
    await seedStore(open.store, world, { chunkSize: 7 });
    const route = world.cbp.routes[0];
    const [routeRow] = await open.store.query(sql`SELECT * FROM cbp.routes WHERE id = ${route?.id}`);
    expect(routeRow).toMatchObject({
      jurisdictions: route?.jurisdictions,
      disseminate: route?.disseminate,
      path: route?.path,
      waypoints: route?.waypoints,
      hazards: route?.hazards,
      surveillance_assets: route?.surveillanceAssets,
      first_seen_at: route?.firstSeenAt,
    });
    const person = world.ice.persons.find((row) => row.aNumber === null);
    const [personRow] = await open.store.query(sql`SELECT a_number, to_char(date_of_birth, 'YYYY-MM-DD') AS born, protected1367 FROM ice.persons WHERE id = ${person?.id}`);
    expect(personRow).toEqual({ a_number: null, born: person?.dateOfBirth, protected1367: false });
    const consent = world.ngo.consents.find((row) => row.revokedAt !== null);
    const [consentRow] = await open.store.query(sql`SELECT grantees, purposes, revoked_at, notify_transfers FROM ngo.consents WHERE referral_id = ${consent?.referralId}`);
    expect(consentRow).toEqual({ grantees: consent?.grantees, purposes: consent?.purposes, revoked_at: consent?.revokedAt, notify_transfers: consent?.notifyTransfers });
    const provider = world.ngo.providers[0];
    const [providerRow] = await open.store.query(sql`SELECT capacity, beds_available, services FROM ngo.providers WHERE id = ${provider?.id}`);
    expect(providerRow).toEqual({ capacity: provider?.capacity, beds_available: provider?.bedsAvailable, services: provider?.services });
  });

  it('writes everything in one transaction: a failure leaves nothing behind', async () => {
    const world = generateWorld();
    const broken = { ...world, ngo: { ...world.ngo, consents: [...world.ngo.consents, { ...world.ngo.consents[0], referralId: 'RF-missing' }] } } as typeof world;
    await expect(seedStore(open.store, broken)).rejects.toThrow();
    expect(await isSeeded(open.store)).toBe(false);
  });
});

describe('seedIfEmpty', () => {
  it('seeds an empty store once, then leaves it alone', async () => {
    const first = await seedIfEmpty(open.store, { scale: 'small' });
    expect(first.status).toBe('seeded');
    if (first.status === 'seeded') expect(first.counts['ice.transfers']).toBe(200);
    expect(await seedIfEmpty(open.store, { scale: 'small' })).toEqual({ status: 'already-seeded' });
    expect((await countTables(open, ['ice.transfers']))['ice.transfers']).toBe(200);
  });

  it('lets one of several services starting together seed, and the others find it seeded', async () => {
    const store = open.store;
    const outcomes = await Promise.all([1, 2, 3].map(() => seedIfEmpty(store, { scale: 'small' })));
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['already-seeded', 'already-seeded', 'seeded']);
    expect((await countTables(open, ['ice.persons']))['ice.persons']).toBe(generateWorld().ice.persons.length);
  });
});

describe('truncateSeedTables', () => {
  it('empties every table of the four schemas, and seeding works again after it', async () => {
    const world = generateWorld();
    await seedStore(open.store, world);
    const emptied = await truncateSeedTables(open.store);
    expect(emptied).toEqual(expect.arrayContaining(['"ice"."persons"', '"ngo"."consents"', '"cbp"."routes"', '"partner"."bookings"']));
    expect(await isSeeded(open.store)).toBe(false);
    await seedStore(open.store, world);
    expect(await isSeeded(open.store)).toBe(true);
  });
});

describe('arrayLiteral', () => {
  it('quotes every element so commas, braces, quotes and NULL stay text', () => {
    expect(arrayLiteral([])).toBe('{}');
    expect(arrayLiteral(['a,b', 'NULL', 'say "hi"', 'back\\slash'])).toBe('{"a,b","NULL","say \\"hi\\"","back\\\\slash"}');
  });
});

describe('seed/cli.ts', () => {
  it('refuses to run without DATABASE_URL, saying what it needs', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.DATABASE_URL;
    const run = promisify(execFile)(process.execPath, ['--import', 'tsx', repoPath('seed', 'cli.ts')], { env, cwd: repoPath() });
    await expect(run).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/DATABASE_URL is not set/) });
  });
});
