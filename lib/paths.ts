import { fileURLToPath } from 'node:url';

/**
 * Whether this process runs the compiled JavaScript of `npm run build` (dist/, a mirror of the
 * source tree) rather than the TypeScript sources through tsx. Decided by this very module's
 * file: tsc emits `dist/lib/paths.js`; tsx (and vitest) load `lib/paths.ts`.
 */
export const RUNS_COMPILED = import.meta.url.endsWith('.js');

/**
 * The repository root, wherever the process was started from, and whether it runs compiled or
 * not. Assets the code reads at run time (schema/*.graphql, migrations, facts.sql, policy rules,
 * console/ide dist) are resolved from here and never copied into dist/: one copy of each, so a
 * compiled service cannot read a stale one.
 */
export const REPO_ROOT = fileURLToPath(new URL(RUNS_COMPILED ? '../../' : '../', import.meta.url));

export const repoPath = (...segments: readonly string[]): string => [REPO_ROOT.replace(/\/$/, ''), ...segments].join('/');

/** Where `npm run build` puts the compiled server code (tsconfig.build.json's outDir). */
export const DIST_DIR = repoPath('dist');
