import { DIST_DIR, RUNS_COMPILED, repoPath } from '../paths.js';

/**
 * How a child runs one of our entry points: `compiled`, the JavaScript `npm run build` emitted
 * into dist/, with plain node (production: no loader, nothing compiled again at each restart);
 * `source`, the TypeScript through tsx's loader (development, tests).
 */
export type ScriptRuntime = 'compiled' | 'source';

/** The way this process itself runs: its children run the same way unless told otherwise. */
export const OWN_RUNTIME: ScriptRuntime = RUNS_COMPILED ? 'compiled' : 'source';

/**
 * Node's arguments to run the TypeScript entry point `script` (repository-relative, such as
 * `scripts/start.ts`) in `runtime`. The path is absolute, so the child's cwd does not matter.
 * `compiled` expects dist/ built and current (scripts/launch.mjs sees to that before the first
 * compiled process starts; a test asks for it in its setup).
 */
export function scriptArgs(script: string, runtime: ScriptRuntime = OWN_RUNTIME): string[] {
  if (!/^[\w/-]+\.ts$/.test(script)) throw new Error(`scriptArgs: expected a repository-relative .ts path, got "${script}"`);
  switch (runtime) {
    case 'compiled':
      return [`${DIST_DIR}/${script.replace(/\.ts$/, '.js')}`];
    case 'source':
      return ['--import', 'tsx', repoPath(script)];
  }
}
