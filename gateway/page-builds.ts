import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildConsoleIfMissing, CONSOLE_DIST } from './console-route.js';
import { buildIdeIfMissing, IDE_DIST } from './ide-route.js';
import type { BuildLog } from './static-build.js';

export interface PreparePagesOptions {
  /** NODE_ENV=production: a production install, without development dependencies. */
  readonly production: boolean;
  readonly log: BuildLog;
  readonly consoleDir?: string;
  readonly ideDir?: string;
}

/**
 * Before the gateway serves the auditor console (and, in development, the GraphQL IDE): in
 * development each is built with Vite when missing (`npm start` on a fresh clone). Vite is a
 * development dependency, so a production start never builds: `npm ci --omit=dev` has no Vite
 * to import. It says a missing console is missing, and /console/ answers 503 with how to build it.
 */
export async function preparePages(options: PreparePagesOptions): Promise<void> {
  const consoleDir = options.consoleDir ?? CONSOLE_DIST;
  if (options.production) {
    if (!existsSync(resolve(consoleDir, 'index.html'))) {
      options.log.warn(`The auditor console is not built (${consoleDir}): /console/ answers 503 until \`npm run build\` is run`);
    }
    return;
  }
  await buildConsoleIfMissing(options.log, consoleDir);
  await buildIdeIfMissing(options.log, options.ideDir ?? IDE_DIST);
}
