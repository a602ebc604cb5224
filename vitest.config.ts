import { defineConfig } from 'vitest/config';

/**
 * Two projects: `unit` (a module at a time, stores in process) and `e2e` (the real gateway and
 * subgraphs over HTTP on loopback). `npm test` runs both on the embedded store and again on
 * the PostgreSQL named by DATABASE_URL.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/e2e/**', 'node_modules/**'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
