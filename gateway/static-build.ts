import { existsSync } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, resolve, sep } from 'node:path';

/**
 * Serving a page built by Vite (the auditor console, the development IDE): its files by
 * extension, never a file outside the build, each page with its own security headers.
 */

export type Route = (request: IncomingMessage, response: ServerResponse) => Promise<boolean>;

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

/** Headers every built page shares, whatever its Content-Security-Policy. */
const COMMON_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
};

/** What a request path under a build's prefix names, decided without touching the file system. */
export type BuildTarget =
  | { readonly kind: 'file'; readonly relative: string }
  /** A path of the single-page app (no file extension): answered with index.html. */
  | { readonly kind: 'app' }
  | { readonly kind: 'forbidden' };

/**
 * Maps the path after a build's prefix to a file of the build. Anything that could climb out of
 * the root (`..`, encoded slashes or backslashes, NUL) is refused here, before any file is
 * opened; `readInside` checks again on the resolved real path.
 */
export function buildTarget(pathAfterPrefix: string): BuildTarget {
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

/** One built page: where its files are, and the policy its responses carry. */
export interface StaticBuild {
  readonly root: string;
  readonly contentSecurityPolicy: string;
  /** Said with a 503 when the build is missing: how to build it. */
  readonly notBuilt: string;
}

export function sendText(response: ServerResponse, build: StaticBuild, status: number, body: string, headers: Readonly<Record<string, string>> = {}): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...securityHeaders(build), ...headers });
  response.end(body);
}

const securityHeaders = (build: StaticBuild): Readonly<Record<string, string>> => ({
  'content-security-policy': build.contentSecurityPolicy,
  ...COMMON_HEADERS,
});

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
 * Answers a GET or HEAD for `target` of the build: index.html for the app's own paths (always
 * revalidated), a file by its extension, 404 for a missing file, 405 for other methods and 503
 * when the build is missing.
 */
export async function serveBuild(request: IncomingMessage, response: ServerResponse, build: StaticBuild, target: BuildTarget): Promise<void> {
  const method = request.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD') {
    sendText(response, build, 405, 'Method not allowed', { allow: 'GET, HEAD' });
    return;
  }
  if (!existsSync(resolve(build.root, 'index.html'))) {
    sendText(response, build, 503, build.notBuilt);
    return;
  }
  switch (target.kind) {
    case 'forbidden':
      sendText(response, build, 404, 'Not found');
      return;
    case 'app': {
      const html = await readInside(build.root, 'index.html');
      if (html === null) {
        sendText(response, build, 404, 'Not found');
        return;
      }
      // Always revalidated: it names the hashed bundles of the current build.
      sendBody(response, build, method, html, CONTENT_TYPES['.html'] ?? 'text/html', 'no-cache');
      return;
    }
    case 'file': {
      const body = await readInside(build.root, target.relative);
      if (body === null) {
        sendText(response, build, 404, 'Not found');
        return;
      }
      const type = CONTENT_TYPES[extname(target.relative).toLowerCase()] ?? 'application/octet-stream';
      // Vite names bundles by content hash: they never change, so they may be cached for good.
      const cache = target.relative.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
      sendBody(response, build, method, body, type, cache);
      return;
    }
  }
}

function sendBody(response: ServerResponse, build: StaticBuild, method: string, body: Buffer, contentType: string, cacheControl: string): void {
  response.writeHead(200, {
    ...securityHeaders(build),
    'content-type': contentType,
    'content-length': String(body.length),
    'cache-control': cacheControl,
  });
  response.end(method === 'HEAD' ? undefined : body);
}

/**
 * Builds a page with Vite (`configFile`) into `outDir`, in process. Vite is a development
 * dependency: where it is absent (a production install) this throws, and the page's route says
 * how to build it.
 */
export async function buildWithVite(configFile: string, outDir: string): Promise<void> {
  const vite = await import('vite');
  await vite.build({ configFile, logLevel: 'warn', build: { outDir: resolve(outDir), emptyOutDir: true } });
}

/** Where a build's progress and failure are told (the console, at `npm start`). */
export interface BuildLog {
  info(message: string): void;
  warn(message: string): void;
}

/**
 * Builds a page when its build is missing (`npm start` on a fresh clone). Where Vite is absent
 * (a production install) the gateway still runs, and the page's route says how to build it.
 */
export async function buildWithViteIfMissing(what: string, configFile: string, outDir: string, log: BuildLog): Promise<void> {
  if (existsSync(resolve(outDir, 'index.html'))) return;
  log.info(`Building ${what} (${outDir} is missing)...`);
  try {
    await buildWithVite(configFile, outDir);
  } catch (error) {
    log.warn(`Could not build ${what} (${error instanceof Error ? error.message : String(error)}); run \`npm run build\``);
  }
}

/** Tries each route in turn; the first that owns the path answers. */
export function firstRoute(...routes: readonly Route[]): Route {
  return async (request, response) => {
    for (const route of routes) if (await route(request, response)) return true;
    return false;
  };
}
