import { parseArgs } from 'node:util';
import { migrate, openStore } from '../lib/store/index.js';
import { generateWorld, DEFAULT_SEED } from './generate.js';
import { isSeeded, seedStore } from './load.js';
import { truncateSeedTables } from './reset.js';
import { parseScale } from './scale.js';
import { readSettings } from '../lib/config.js';

/**
 * `tsx seed/cli.ts [--scale small|medium|large|N] [--seed N] [--reset]`
 *
 * Seeds the PostgreSQL named by DATABASE_URL, after applying pending migrations. The embedded
 * store needs no such step: `npm start` seeds it on first start.
 */

const USAGE = 'Usage: tsx seed/cli.ts [--scale small|medium|large|N] [--seed N] [--reset]';

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

  const store = await openStore({ databaseUrl });
  try {
    const applied = await migrate(store);
    if (applied.length > 0) console.log(`Applied migrations: ${applied.join(', ')}`);
    if (values.reset) {
      const emptied = await truncateSeedTables(store);
      console.log(`Emptied ${emptied.length} tables.`);
    } else if (await isSeeded(store)) {
      console.error('The database already holds records (ice.persons is not empty). Run with --reset to replace them.');
      return 1;
    }
    const started = performance.now();
    const world = generateWorld({ scale, seed });
    const generated = performance.now();
    const counts = await seedStore(store, world);
    const loaded = performance.now();
    for (const [table, rows] of Object.entries(counts)) console.log(`${table.padEnd(22)} ${String(rows).padStart(8)}`);
    console.log(`Generated in ${Math.round(generated - started)} ms, loaded in ${Math.round(loaded - generated)} ms.`);
    return 0;
  } finally {
    await store.close();
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
