import type { IncomingMessage } from 'node:http';
import { resolve } from 'node:path';
import { repoPath } from '../lib/paths.js';
import { buildTarget, buildWithVite, buildWithViteIfMissing, serveBuild, type BuildLog, type Route, type StaticBuild } from './static-build.js';

/** Where `npm run build` (vite, ide/vite.config.ts) writes the development IDE. */
export const IDE_DIST = repoPath('ide', 'dist');
/** The page itself is served at the GraphQL endpoint, to a browser. */
export const IDE_PAGE_PATH = '/graphql';
/** Its bundles, under a path of their own (ide/vite.config.ts `base`). */
export const IDE_ASSETS_PATH = '/graphql/ide/';

/**
 * GraphiQL runs only its own bundled scripts (no 'unsafe-eval': CodeMirror 5 and GraphiQL need
 * none), talks only to this origin's /graphql, and is never framed. Two allowances the console
 * does without, both for styles and fonts only, never for script:
 * - `style-src 'unsafe-inline'`: GraphiQL's dialogs (Radix UI's react-remove-scroll) insert a
 *   <style> element when they open, whose text depends on the browser's scrollbar width, so no
 *   fixed hash would do (the end-to-end test sees the violations without it). Styles only: a
 *   development tool showing the developer's own queries, never served in production.
 * - `font-src data:`: GraphiQL's stylesheet carries its fonts inline, as data: URLs.
 */
const IDE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; " +
  "font-src 'self' data:; manifest-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export interface IdeRouteOptions {
  /**
   * `Settings.production`. Load-bearing: in production the route owns no path at all, so a
   * browser's GET /graphql gets Apollo's answer as any client does (SPEC 8: the IDE is off).
   */
  readonly production: boolean;
  /** The built IDE; default ide/dist. */
  readonly root?: string;
}

/**
 * A browser's page load, as opposed to a GraphQL request sent by GET: it accepts HTML and sends
 * no operation (`query`, or `extensions` for a persisted one) in the query string. A GraphQL
 * client that sends an operation by GET is answered by Apollo, whatever it accepts.
 */
export function wantsIdePage(request: IncomingMessage, url: URL): boolean {
  const method = request.method ?? 'GET';
  return (
    (method === 'GET' || method === 'HEAD') &&
    url.pathname === IDE_PAGE_PATH &&
    (request.headers.accept ?? '').includes('text/html') &&
    !url.searchParams.has('query') &&
    !url.searchParams.has('extensions')
  );
}

/**
 * The development GraphQL IDE (GraphiQL, SPEC 8): its page at GET /graphql for a browser, its
 * files under /graphql/ide/. Gateway only; off in production. The page holds no secret: the
 * developer pastes a token into its header editor, and every request it sends is an ordinary
 * authenticated, audited GraphQL request.
 */
export function ideRoute(options: IdeRouteOptions): Route {
  if (options.production) return async () => false;
  const build: StaticBuild = {
    root: resolve(options.root ?? IDE_DIST),
    contentSecurityPolicy: IDE_CSP,
    notBuilt: 'The GraphQL IDE is not built: run `npm run build` (npm start builds it when missing).',
  };
  return async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://gateway.local');
    if (wantsIdePage(request, url)) {
      await serveBuild(request, response, build, { kind: 'app' });
      return true;
    }
    if (!url.pathname.startsWith(IDE_ASSETS_PATH)) return false;
    await serveBuild(request, response, build, buildTarget(url.pathname.slice(IDE_ASSETS_PATH.length)));
    return true;
  };
}

/** Builds the IDE when its build is missing (`npm start` on a fresh clone, in development). */
export async function buildIdeIfMissing(log: BuildLog, outDir: string = IDE_DIST): Promise<void> {
  await buildWithViteIfMissing('the GraphQL IDE', repoPath('ide', 'vite.config.ts'), outDir, log);
}

/** `npm run build`, in process: ide/vite.config.ts, written to `outDir`. */
export async function buildIde(outDir: string = IDE_DIST): Promise<void> {
  await buildWithVite(repoPath('ide', 'vite.config.ts'), outDir);
}
