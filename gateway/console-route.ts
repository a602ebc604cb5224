import { existsSync } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, resolve, sep } from 'node:path';
import { repoPath } from '../lib/paths.js';

/** Where `npm run build` (vite, console/vite.config.ts) writes the auditor console. */
export const CONSOLE_DIST = repoPath('console', 'dist');
export const CONSOLE_PATH = '/console/';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

/**
 * The console talks only to this origin's /graphql, runs only its own bundled script, and is
 * never framed (clickjacking an auditor's session). Load-bearing: no 'unsafe-inline' anywhere,
 * so an injected string in an audit entry can never run as script or style.
 */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; " +
    "font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
};

export interface ConsoleRouteOptions {
  /** The built console; default console/dist. */
  readonly root?: string;
  /** Redirect a browser asking for `/` (Accept: text/html) to the console. Default true. */
  readonly redirectRoot?: boolean;
}

export type Route = (request: IncomingMessage, response: ServerResponse) => Promise<boolean>;

/** What a request path under /console/ names, decided without touching the file system. */
export type ConsoleTarget =
  | { readonly kind: 'file'; readonly relative: string }
  /** A path of the single-page app (no file extension): answered with index.html. */
  | { readonly kind: 'app' }
  | { readonly kind: 'forbidden' };

/**
 * Maps the path after /console/ to a file of the build. Anything that could climb out of the
 * root (`..`, encoded slashes or backslashes, NUL) is refused here, before any file is opened;
 * `serveFile` checks again on the resolved real path.
 */
export function consoleTarget(pathAfterPrefix: string): ConsoleTarget {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathAfterPrefix);
  } catch {
    return { kind: 'forbidden' };
  }
  if (decoded.includes('\0') || decoded.includes('\\') || /%2f|%5c/i.test(pathAfterPrefix)) return { kind: 'forbidden' };
  const segments = decoded.split('/').filter((segment) => segment !== '');
  if (segments.some((segment) => segment === '..' || segment === '.' || segment.startsWith('.'))) return { kind: 'forbidden' };
  if (segments.length === 0) return { kind: 'app' };
  const last = segments.at(-1) ?? '';
  return extname(last) === '' ? { kind: 'app' } : { kind: 'file', relative: segments.join('/') };
}

function send(response: ServerResponse, status: number, body: string, headers: Readonly<Record<string, string>> = {}): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS, ...headers });
  response.end(body);
}

/** Reads a file only if its real path lies inside the real root (no symlink out of it). */
async function readInside(root: string, relative: string): Promise<Buffer | null> {
  const realRoot = await realpath(root);
  const candidate = resolve(realRoot, relative);
  if (!candidate.startsWith(realRoot + sep)) return null;
  try {
    const real = await realpath(candidate);
    if (!real.startsWith(realRoot + sep) || !(await stat(real)).isFile()) return null;
    return await readFile(real);
  } catch {
    return null;
  }
}

/**
 * The auditor console's files under /console/ (SPEC 1): content types by extension, index.html
 * for the app's own paths, 404 for a missing file, never a file outside the build. The console
 * holds no secret: it is a static page that calls /graphql with the auditor's token.
 */
export function consoleRoute(options: ConsoleRouteOptions = {}): Route {
  const root = resolve(options.root ?? CONSOLE_DIST);
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

    if (method !== 'GET' && method !== 'HEAD') {
      send(response, 405, 'Method not allowed', { allow: 'GET, HEAD' });
      return true;
    }
    if (!existsSync(resolve(root, 'index.html'))) {
      send(response, 503, 'The auditor console is not built: run `npm run build` (npm start builds it when missing).');
      return true;
    }
    const target = consoleTarget(pathname.slice(CONSOLE_PATH.length));
    switch (target.kind) {
      case 'forbidden':
        send(response, 404, 'Not found');
        return true;
      case 'app': {
        const html = await readInside(root, 'index.html');
        if (html === null) {
          send(response, 404, 'Not found');
          return true;
        }
        // Always revalidated: it names the hashed bundles of the current build.
        sendBody(response, method, html, CONTENT_TYPES['.html'] ?? 'text/html', 'no-cache');
        return true;
      }
      case 'file': {
        const body = await readInside(root, target.relative);
        if (body === null) {
          send(response, 404, 'Not found');
          return true;
        }
        const type = CONTENT_TYPES[extname(target.relative).toLowerCase()] ?? 'application/octet-stream';
        // Vite names bundles by content hash: they never change, so they may be cached for good.
        const cache = target.relative.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
        sendBody(response, method, body, type, cache);
        return true;
      }
    }
  };
}

function sendBody(response: ServerResponse, method: string, body: Buffer, contentType: string, cacheControl: string): void {
  response.writeHead(200, {
    ...SECURITY_HEADERS,
    'content-type': contentType,
    'content-length': String(body.length),
    'cache-control': cacheControl,
  });
  response.end(method === 'HEAD' ? undefined : body);
}

/**
 * Builds the console with Vite when its build is missing (`npm start` on a fresh clone). Vite
 * is a development dependency: where it is absent (a production install) the gateway still
 * runs, and /console/ says how to build it.
 */
export async function buildConsoleIfMissing(log: { info(message: string): void; warn(message: string): void }, outDir: string = CONSOLE_DIST): Promise<void> {
  if (existsSync(resolve(outDir, 'index.html'))) return;
  log.info('Building the auditor console (console/dist is missing)...');
  try {
    await buildConsole(outDir);
  } catch (error) {
    log.warn(`Could not build the auditor console (${error instanceof Error ? error.message : String(error)}); run \`npm run build\``);
  }
}

/** `npm run build`, in process: console/vite.config.ts, written to `outDir`. */
export async function buildConsole(outDir: string = CONSOLE_DIST): Promise<void> {
  const vite = await import('vite');
  await vite.build({
    configFile: repoPath('console', 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir: resolve(outDir), emptyOutDir: true },
  });
}
