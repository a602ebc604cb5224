import { ensureBuilt } from '../../scripts/launch.mjs';

/**
 * Global setup of the `alone` project: `npm start` and the split deployment run the compiled
 * JavaScript, as production does, so dist/ is built here once (a no-op when its stamp matches
 * the sources) rather than by the first test's start, which would spend its startup budget on tsc.
 */
export function setup(): void {
  if (ensureBuilt()) console.log('built dist/ for the process tests (npm run build:server)');
}
