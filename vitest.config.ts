import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

// graphql 16 ships a CommonJS and an ES build. Node (and so @apollo/* at run time) loads the
// CommonJS one; Vite would hand our code the ES one, and two copies of graphql reject each
// other's schemas ("from another module or realm"). Tests resolve it as Node does.
const graphqlCommonJs = createRequire(import.meta.url).resolve('graphql');
const resolve = { alias: [{ find: /^graphql$/, replacement: graphqlCommonJs }] };

/**
 * Tests that run once, by themselves, after the other suites (`npm run test:alone`): those whose
 * assertions are about latency under load, so that no other test file shares the cores, those
 * of `npm start` as processes (test/process/), which start seven processes each and choose
 * their store themselves, and the split deployment (test/split/: a dozen processes over five
 * PostgreSQL databases).
 */
const ALONE = ['test/e2e/overload.test.ts', 'test/process/**/*.test.ts', 'test/split/split-deployment.test.ts'];

/**
 * End-to-end suites whose subject is not the store (the soak's steady load, the browser-driven
 * console and IDE): `npm test` runs them once, in the PostgreSQL pass, not once per store.
 */
const ONCE = ['test/e2e/soak.test.ts', 'test/e2e/console.test.ts', 'test/e2e/ide.test.ts'];

/**
 * Two projects (and `once` and `alone`, above): `unit` (a module at a time, stores in process)
 * and `e2e` (the real gateway and subgraphs over HTTP on loopback). `npm test` runs both on the
 * embedded store and again, with `once`, on the PostgreSQL named by DATABASE_URL.
 */
export default defineConfig({
  test: {
    projects: [
      {
        resolve,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/e2e/**', ...ALONE, 'node_modules/**'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        resolve,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          exclude: [...ALONE, ...ONCE, 'node_modules/**'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        resolve,
        test: {
          name: 'once',
          include: [...ONCE],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        resolve,
        test: {
          name: 'alone',
          include: [...ALONE],
          // `npm start` and the split deployment run dist/: built once before the first of them.
          globalSetup: ['test/support/build-once.ts'],
          // One file at a time: each is about a machine of its own.
          fileParallelism: false,
          testTimeout: 120_000,
          // The split deployment starts a dozen processes before its first test.
          hookTimeout: 400_000,
        },
      },
    ],
  },
});
