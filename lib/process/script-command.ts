import { DIST_DIR, RUNS_COMPILED, repoPath } from '../paths.js';

/**
 * Node's arguments to run one of our TypeScript entry points (`scripts/start.ts`) in a child
 * process the way this process runs: the compiled `dist/scripts/start.js` with plain node when
 * this process is compiled (production: no loader, nothing to compile at each restart), else the
 * source through tsx's loader (development, tests). The script path is absolute, so the child's
 * cwd does not matter. Only called from compiled code once `npm run build` has emitted dist/.
 */
export function scriptArgs(script: string): string[] {
  if (!/^[\w/-]+\.ts$/.test(script)) throw new Error(`scriptArgs: expected a repository-relative .ts path, got "${script}"`);
  return RUNS_COMPILED ? [`${DIST_DIR}/${script.replace(/\.ts$/, '.js')}`] : ['--import', 'tsx', repoPath(script)];
}
