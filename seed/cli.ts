import { parseArgs } from 'node:util';
import { openServiceStores } from '../lib/server/stores.js';
import { generateWorld, DEFAULT_SEED } from './generate.js';
import { isSeeded, seedStore } from './load.js';
import { SEEDED_SCHEMAS, truncateSeedTables } from './reset.js';
import { parseScale } from './scale.js';
import { readSettings } from '../lib/config.js';

/**
 * `npm run seed -- [--scale small|medium|large|N] [--seed N] [--reset]`
 *
 * Seeds the PostgreSQL named by DATABASE_URL (each agency's records into its own database when
 * `<AGENCY>_DATABASE_URL` names one), after applying pending migrations. The embedded store
 * needs no such step: `npm start` seeds it on first start.
 */

const USAGE = 'Usage: npm run seed -- [--scale small|medium|large|N] [--seed N] [--reset]';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      scale: { type: 'string', default: 'small' },
      seed: { type: 'string', default: String(DEFAULT_SEED) },
      reset: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const databaseUrl = readSettings().databaseUrl;
  if (databaseUrl === undefined) {
    console.error('DATABASE_URL is not set: the seed command writes to a real PostgreSQL (e.g. postgres://user@host:5432/db).');
    console.error('The embedded store needs no seeding by hand: `npm start` seeds it on first start.');
    return 2;
  }
  const scale = parseScale(values.scale);
  const seed = Number(values.seed);
  if (!Number.isSafeInteger(seed)) throw new RangeError(`--seed must be an integer, got "${values.seed}"`);

  const settings = readSettings();
  const stores = await openServiceStores(settings);
  try {
    const groups = stores.groups
      .map((group) => ({ store: group.store, schemas: SEEDED_SCHEMAS.filter((schema) => group.services.includes(schema)) }))
      .filter((group) => group.schemas.length > 0);
    for (const { store, schemas } of groups) {
      if (values.reset) {
        const emptied = await truncateSeedTables(store, schemas);
        console.log(`Emptied ${emptied.length} tables (${schemas.join(', ')}).`);
      } else if (await isSeeded(store, schemas)) {
        console.error(`A database already holds records (${schemas.join(', ')}). Run with --reset to replace them.`);
        return 1;
      }
    }
    const started = performance.now();
    const world = generateWorld({ scale, seed });
    const generated = performance.now();
    let counts: Readonly<Record<string, number>> = {};
    for (const { store, schemas } of groups) counts = await seedStore(store, world, {}, schemas);
    const loaded = performance.now();
    for (const [table, rows] of Object.entries(counts)) console.log(`${table.padEnd(22)} ${String(rows).padStart(8)}`);
    console.log(`Generated in ${Math.round(generated - started)} ms, loaded in ${Math.round(loaded - generated)} ms.`);
    return 0;
  } finally {
    await stores.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    console.error(USAGE);
    process.exitCode = 1;
  },
);
