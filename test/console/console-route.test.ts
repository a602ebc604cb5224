import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleRoute, consoleTarget } from '../../gateway/console-route.js';
import { rawGet as get, serveRoute } from '../support/route-server.js';

const serve = (root: string): ReturnType<typeof serveRoute> => serveRoute(consoleRoute({ root }));

describe('what a path under /console/ names', () => {
  it.each([
    ['', { kind: 'app' }],
    ['log', { kind: 'app' }],
    ['person/P-1', { kind: 'app' }],
    ['assets/index-abc.js', { kind: 'file', relative: 'assets/index-abc.js' }],
    ['index.html', { kind: 'file', relative: 'index.html' }],
    ['..', { kind: 'forbidden' }],
    ['assets/../../package.json', { kind: 'forbidden' }],
    ['%2e%2e/package.json', { kind: 'forbidden' }],
    ['..%2fpackage.json', { kind: 'forbidden' }],
    ['assets%5c..%5c..%5cpackage.json', { kind: 'forbidden' }],
    ['.env', { kind: 'forbidden' }],
    ['a%00.js', { kind: 'forbidden' }],
    ['%E0%A4%A', { kind: 'forbidden' }],
  ])('%j is %j', (path, target) => {
    expect(consoleTarget(path)).toEqual(target);
  });
});

describe('the console route', () => {
  let root: string;
  let outside: string;
  let served: Awaited<ReturnType<typeof serve>>;
  let port: number;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'console-route-'));
    outside = await mkdtemp(join(tmpdir(), 'console-outside-'));
    await mkdir(join(root, 'assets'));
    await writeFile(join(root, 'index.html'), '<!doctype html><title>console</title>');
    await writeFile(join(root, 'assets', 'index-abc.js'), 'console.log(1)');
    await writeFile(join(root, 'assets', 'index-abc.css'), 'body{}');
    await writeFile(join(root, 'assets', 'logo.svg'), '<svg/>');
    await writeFile(join(outside, 'secret.txt'), 'secret');
    await symlink(join(outside, 'secret.txt'), join(root, 'assets', 'link.txt'));
    served = await serve(root);
    ({ port } = served);
  });

  afterAll(async () => {
    await served?.close();
    await rm(root, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  it('serves index.html at /console/, never cached, with a strict content security policy', async () => {
    const answer = await get(port, '/console/');
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(answer.headers['cache-control']).toBe('no-cache');
    expect(answer.headers['content-security-policy']).toContain("script-src 'self'");
    expect(answer.headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    expect(answer.headers['x-frame-options']).toBe('DENY');
    expect(answer.body).toContain('<title>console</title>');
  });

  it.each([
    ['/console/assets/index-abc.js', 'text/javascript; charset=utf-8'],
    ['/console/assets/index-abc.css', 'text/css; charset=utf-8'],
    ['/console/assets/logo.svg', 'image/svg+xml'],
  ])('serves %s as %s, cached for good (the name holds its hash)', async (path, type) => {
    const answer = await get(port, path);
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe(type);
    expect(answer.headers['cache-control']).toContain('immutable');
  });

  it("answers the app's own paths with index.html", async () => {
    for (const path of ['/console/log', '/console/person/P-1', '/console/?x=1']) {
      const answer = await get(port, path);
      expect(answer.status, path).toBe(200);
      expect(answer.body).toContain('<title>console</title>');
    }
  });

  it('answers 404 for a missing file', async () => {
    expect((await get(port, '/console/assets/missing.js')).status).toBe(404);
  });

  it.each([
    '/console/../package.json',
    '/console/%2e%2e/%2e%2e/package.json',
    '/console/..%2f..%2fpackage.json',
    '/console/assets/..%5c..%5cpackage.json',
    '/console/assets/%2e%2e/%2e%2e/etc/passwd',
    '/console/.%2e/secret.txt',
  ])('never serves a file outside the build: %s', async (path) => {
    const answer = await get(port, path);
    expect([404, 418]).toContain(answer.status);
    expect(answer.body).not.toContain('secret');
    expect(answer.body).not.toContain('"name"');
  });

  it('does not follow a symbolic link out of the build', async () => {
    const answer = await get(port, '/console/assets/link.txt');
    expect(answer.status).toBe(404);
    expect(answer.body).not.toContain('secret');
  });

  it('answers HEAD without a body, and refuses other methods', async () => {
    const head = await get(port, '/console/', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    const post = await get(port, '/console/', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers['allow']).toBe('GET, HEAD');
  });

  it('redirects /console to /console/, and a browser at / to the console', async () => {
    const bare = await get(port, '/console');
    expect(bare.status).toBe(301);
    expect(bare.headers['location']).toBe('/console/');
    const browser = await get(port, '/', { accept: 'text/html,application/xhtml+xml' });
    expect(browser.status).toBe(302);
    expect(browser.headers['location']).toBe('/console/');
  });

  it('leaves every other path to the gateway: GraphQL at / and /graphql, health', async () => {
    expect((await get(port, '/', { accept: 'application/json' })).status).toBe(418);
    expect((await get(port, '/?query=%7B__typename%7D', { accept: 'text/html' })).status).toBe(418);
    expect((await get(port, '/graphql')).status).toBe(418);
    expect((await get(port, '/health')).status).toBe(418);
    expect((await get(port, '/consoles/x')).status).toBe(418);
  });

  it('says how to build the console when it is not built', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'console-empty-'));
    const bare = await serve(empty);
    try {
      const answer = await get(bare.port, '/console/');
      expect(answer.status).toBe(503);
      expect(answer.body).toContain('npm run build');
    } finally {
      await bare.close();
      await rm(empty, { recursive: true, force: true });
    }
  });
});
