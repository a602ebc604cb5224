import { resolve } from 'node:path';
import { repoPath } from '../lib/paths.js';
import { buildTarget, buildWithVite, buildWithViteIfMissing, serveBuild, type BuildLog, type BuildTarget, type Route, type StaticBuild } from './static-build.js';

export type { Route } from './static-build.js';

/** Where `npm run build` (vite, console/vite.config.ts) writes the auditor console. */
export const CONSOLE_DIST = repoPath('console', 'dist');
export const CONSOLE_PATH = '/console/';

/**
 * The console talks only to this origin's /graphql, runs only its own bundled script, and is
 * never framed (clickjacking an auditor's session). Load-bearing: no 'unsafe-inline' anywhere,
 * so an injected string in an audit entry can never run as script or style.
 */
const CONSOLE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; " +
  "font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

export interface ConsoleRouteOptions {
  /** The built console; default console/dist. */
  readonly root?: string;
  /** Redirect a browser asking for `/` (Accept: text/html) to the console. Default true. */
  readonly redirectRoot?: boolean;
}

/** What a request path under /console/ names (see `buildTarget`). */
export type ConsoleTarget = BuildTarget;
export const consoleTarget = buildTarget;

/**
 * The auditor console's files under /console/ (SPEC 1): content types by extension, index.html
 * for the app's own paths, 404 for a missing file, never a file outside the build. The console
 * holds no secret: it is a static page that calls /graphql with the auditor's token.
 */
export function consoleRoute(options: ConsoleRouteOptions = {}): Route {
  const build: StaticBuild = {
    root: resolve(options.root ?? CONSOLE_DIST),
    contentSecurityPolicy: CONSOLE_CSP,
    notBuilt: 'The auditor console is not built: run `npm run build` (npm start builds it when missing).',
  };
  const redirectRoot = options.redirectRoot ?? true;
  return async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://gateway.local');
    const method = request.method ?? 'GET';
    const { pathname } = url;

    if (redirectRoot && pathname === '/' && method === 'GET' && !url.searchParams.has('query') && (request.headers.accept ?? '').includes('text/html')) {
      response.writeHead(302, { location: CONSOLE_PATH, 'content-type': 'text/plain; charset=utf-8' });
      response.end(`The auditor console is at ${CONSOLE_PATH}; GraphQL is served at /graphql`);
      return true;
    }
    if (pathname === '/console') {
      response.writeHead(301, { location: `${CONSOLE_PATH}${url.search}`, 'content-type': 'text/plain; charset=utf-8' });
      response.end(`Moved to ${CONSOLE_PATH}`);
      return true;
    }
    if (!pathname.startsWith(CONSOLE_PATH)) return false;
    await serveBuild(request, response, build, buildTarget(pathname.slice(CONSOLE_PATH.length)));
    return true;
  };
}

/**
 * Builds the console with Vite when its build is missing (`npm start` on a fresh clone). Vite
 * is a development dependency: where it is absent (a production install) the gateway still
 * runs, and /console/ says how to build it.
 */
export async function buildConsoleIfMissing(log: BuildLog, outDir: string = CONSOLE_DIST): Promise<void> {
  await buildWithViteIfMissing('the auditor console', repoPath('console', 'vite.config.ts'), outDir, log);
}

/** `npm run build`, in process: console/vite.config.ts, written to `outDir`. */
export async function buildConsole(outDir: string = CONSOLE_DIST): Promise<void> {
  await buildWithVite(repoPath('console', 'vite.config.ts'), outDir);
}
