import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

// graphql 16 ships a CommonJS and an ES build. Node (and so @apollo/* at run time) loads the
// CommonJS one; Vite would hand our code the ES one, and two copies of graphql reject each
// other's schemas ("from another module or realm"). Tests resolve it as Node does.
const graphqlCommonJs = createRequire(import.meta.url).resolve('graphql');
const resolve = { alias: [{ find: /^graphql$/, replacement: graphqlCommonJs }] };

/**
 * Tests whose assertions are about latency under load, and the split deployment (a dozen
 * processes of its own, PostgreSQL only): they run once, by themselves, after the other suites
 * (`npm run test:alone`), so that no other test file shares the cores.
 */
const ALONE = ['test/e2e/overload.test.ts', 'test/split/split-deployment.test.ts'];

/**
 * Two projects (and `alone`, above): `unit` (a module at a time, stores in process) and `e2e` (the real gateway and
 * subgraphs over HTTP on loopback). `npm test` runs both on the embedded store and again on
 * the PostgreSQL named by DATABASE_URL.
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
          exclude: [...ALONE, 'node_modules/**'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        resolve,
        test: {
          name: 'alone',
          include: [...ALONE],
          testTimeout: 120_000,
          // The split deployment starts a dozen processes before its first test.
          hookTimeout: 400_000,
        },
      },
    ],
  },
});
