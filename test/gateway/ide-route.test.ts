import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ideRoute, type IdeRouteOptions } from '../../gateway/ide-route.js';
import { rawGet as get, serveRoute } from '../support/route-server.js';

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

const serve = (options: IdeRouteOptions): ReturnType<typeof serveRoute> => serveRoute(ideRoute(options));

describe('the development IDE route', () => {
  let root: string;
  let outside: string;
  let served: Awaited<ReturnType<typeof serve>>;
  let port: number;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'ide-route-'));
    outside = await mkdtemp(join(tmpdir(), 'ide-outside-'));
    await mkdir(join(root, 'assets'));
    await writeFile(join(root, 'index.html'), '<!doctype html><title>ide</title>');
    await writeFile(join(root, 'assets', 'index-abc.js'), 'console.log(1)');
    await writeFile(join(root, 'assets', 'index-abc.css'), 'body{}');
    await writeFile(join(outside, 'secret.txt'), 'secret');
    await symlink(join(outside, 'secret.txt'), join(root, 'assets', 'link.txt'));
    served = await serve({ production: false, root });
    ({ port } = served);
  });

  afterAll(async () => {
    await served?.close();
    await rm(root, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  it('serves the IDE page to a browser at GET /graphql, never cached, never framed, scripts only its own', async () => {
    const answer = await get(port, '/graphql', { accept: BROWSER_ACCEPT });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(answer.headers['cache-control']).toBe('no-cache');
    const csp = String(answer.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("connect-src 'self';");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-(inline|eval)'/);
    expect(answer.headers['x-frame-options']).toBe('DENY');
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    expect(answer.body).toContain('<title>ide</title>');
  });

  it('answers HEAD for the page without a body', async () => {
    const head = await get(port, '/graphql', { method: 'HEAD', accept: 'text/html' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it.each([
    ['/graphql/ide/assets/index-abc.js', 'text/javascript; charset=utf-8'],
    ['/graphql/ide/assets/index-abc.css', 'text/css; charset=utf-8'],
  ])('serves %s as %s with the same policy, cached for good', async (path, type) => {
    const answer = await get(port, path);
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe(type);
    expect(answer.headers['cache-control']).toContain('immutable');
    expect(answer.headers['content-security-policy']).toContain("script-src 'self';");
  });

  it('answers 404 for a missing file under /graphql/ide/', async () => {
    expect((await get(port, '/graphql/ide/assets/missing.js')).status).toBe(404);
  });

  it.each([
    '/graphql/ide/../../package.json',
    '/graphql/ide/%2e%2e/%2e%2e/package.json',
    '/graphql/ide/..%2f..%2fpackage.json',
    '/graphql/ide/assets/..%5c..%5cpackage.json',
    '/graphql/ide/assets/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
    '/graphql/ide/.%2e/secret.txt',
  ])('never serves a file outside the build: %s', async (path) => {
    const answer = await get(port, path);
    expect([404, 418]).toContain(answer.status);
    expect(answer.body).not.toContain('secret');
    expect(answer.body).not.toContain('"name"');
  });

  it('does not follow a symbolic link out of the build', async () => {
    const answer = await get(port, '/graphql/ide/assets/link.txt');
    expect(answer.status).toBe(404);
    expect(answer.body).not.toContain('secret');
  });

  it('refuses methods other than GET and HEAD for its files', async () => {
    const post = await get(port, '/graphql/ide/assets/index-abc.js', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers['allow']).toBe('GET, HEAD');
  });

  it.each([
    ['a POST to /graphql', '/graphql', { method: 'POST', accept: 'text/html' }],
    ['a GET without text/html', '/graphql', { accept: 'application/json' }],
    ['a GET with no Accept', '/graphql', {}],
    ['a GET that sends a query, even from a browser', '/graphql?query=%7B__typename%7D', { accept: BROWSER_ACCEPT }],
    ['a GET that sends a persisted operation', '/graphql?extensions=%7B%7D', { accept: BROWSER_ACCEPT }],
    ['GraphQL at /', '/', { accept: BROWSER_ACCEPT }],
    ['health', '/health', { accept: BROWSER_ACCEPT }],
    ['a neighbouring path', '/graphqlide/x.js', { accept: BROWSER_ACCEPT }],
  ])('leaves %s to the gateway', async (_, path, options) => {
    expect((await get(port, path, options)).status).toBe(418);
  });

  it('says how to build the IDE when it is not built', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'ide-empty-'));
    const bare = await serve({ production: false, root: empty });
    try {
      const answer = await get(bare.port, '/graphql', { accept: 'text/html' });
      expect(answer.status).toBe(503);
      expect(answer.body).toContain('npm run build');
    } finally {
      await bare.close();
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('owns no path at all in production: the page and its files are left to the gateway', async () => {
    const production = await serve({ production: true, root });
    try {
      expect((await get(production.port, '/graphql', { accept: BROWSER_ACCEPT })).status).toBe(418);
      expect((await get(production.port, '/graphql/ide/assets/index-abc.js')).status).toBe(418);
    } finally {
      await production.close();
    }
  });
});
