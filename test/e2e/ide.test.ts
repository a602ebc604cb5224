import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIde, ideRoute } from '../../gateway/ide-route.js';
import type { RunningService } from '../../lib/server/http.js';
import { repoPath } from '../../lib/paths.js';
import { startExtraGateway } from '../support/extra-gateway.js';
import { startTestFederation, type TestFederation } from '../support/federation.js';
import { send } from '../support/http-client.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ARTIFACTS = repoPath('test-artifacts', 'ide');
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

/** CodeMirror 5 keeps its editor object on its wrapper element. */
interface CodeMirrorElement extends Element {
  readonly CodeMirror?: { getValue(): string };
}

/**
 * The development GraphQL IDE in a real browser, over the real gateway: GraphiQL built with
 * Vite, served at GET /graphql by the IDE route, used as a developer would: paste a token into
 * the prefilled headers, reload the schema, run the query. Screenshots land in
 * test-artifacts/ide/.
 */
describe('the development GraphQL IDE', () => {
  let fed: TestFederation;
  let production: RunningService;
  let browser: Browser;
  let page: Page;
  let origin: string;
  let dist: string;
  /** Every URL the page asked for, and every Content-Security-Policy violation it reported. */
  const requested: string[] = [];
  const violations: string[] = [];

  const shot = (name: string): Promise<Buffer> => page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
  const editorText = (selector: string): Promise<string> =>
    page.locator(selector).first().evaluate((element: CodeMirrorElement) => element.CodeMirror?.getValue() ?? '');
  const responseText = (): Promise<string> => editorText('.graphiql-response .CodeMirror');

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`Chromium is not installed at ${CHROMIUM}: the IDE's end-to-end test needs it (apt-get update && apt-get install -y chromium)`);
    }
    dist = await mkdtemp(join(tmpdir(), 'tributary-ide-'));
    await buildIde(dist);
    await mkdir(ARTIFACTS, { recursive: true });

    fed = await startTestFederation({ gatewayRoutes: ideRoute({ production: false, root: dist }) });
    origin = new URL(fed.gatewayUrl).origin;
    // The same gateway as an operator runs it in production, over the same subgraphs.
    production = await startExtraGateway(fed.federation, {
      settings: { production: true },
      gateway: { routes: ideRoute({ production: true, root: dist }) },
    });

    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    page.on('request', (request) => requested.push(request.url()));
    page.on('console', (message) => {
      if (message.text().includes('Content Security Policy')) violations.push(message.text());
    });
  });

  afterAll(async () => {
    await browser?.close();
    await production?.close();
    await fed?.close();
    if (dist) await rm(dist, { recursive: true, force: true });
  });

  it('opens GraphiQL at /graphql, with a note on how to get a token', async () => {
    const response = await page.goto(`${origin}/graphql`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-type']).toContain('text/html');
    await page.locator('.graphiql-container').waitFor();
    await expect(page.getByText('npm run -s token -- --persona cbp-analyst').isVisible()).resolves.toBe(true);
    await expect(page.getByText('Paste a token first').isVisible()).resolves.toBe(true);
  });

  it('prefills the header editor with a token placeholder, a purpose and a justification', async () => {
    const headers = JSON.parse(await editorText('section.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror')) as unknown;
    expect(headers).toEqual({ authorization: 'Bearer <paste a token>', 'x-purpose-of-use': 'INVESTIGATION', 'x-justification': 'CASE-2026-0042' });
  });

  it("shows the gateway's refusal of the schema's introspection until a token is pasted", async () => {
    await expect.poll(responseText, { timeout: 30_000 }).toContain('UNAUTHENTICATED');
    await shot('01-no-token');
  });

  it('runs a query once a token is pasted into the headers', async () => {
    const token = await fed.token('cbp-analyst');
    const headers = JSON.stringify({ authorization: `Bearer ${token}`, 'x-purpose-of-use': 'INVESTIGATION', 'x-justification': 'CASE-2026-0042' });
    await page.locator('section.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror').first().click();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText(headers);
    await page.getByRole('button', { name: /^Execute query/ }).click();
    await expect.poll(responseText, { timeout: 30_000 }).toContain('"totalCount"');
    const result = JSON.parse(await responseText()) as { data?: { routes?: { totalCount: number; edges: unknown[] } }; errors?: unknown };
    expect(result.errors).toBeUndefined();
    expect(result.data?.routes?.edges.length).toBeGreaterThan(0);
  });

  it('loads the schema by introspection with the pasted token, for the documentation explorer', async () => {
    // GraphiQL takes in an edited header a moment after the keystrokes (its editors debounce):
    // the schema is asked for again until the gateway answers with it.
    await expect
      .poll(
        async () => {
          const introspected = page.waitForResponse((response) => (response.request().postData() ?? '').includes('IntrospectionQuery'));
          await page.getByRole('button', { name: 'Re-fetch GraphQL schema' }).click();
          return (await introspected).status();
        },
        { timeout: 30_000, interval: 500 },
      )
      .toBe(200);
    await page.getByRole('button', { name: 'Show Documentation Explorer' }).click();
    await page.getByText('Root Types').waitFor({ timeout: 30_000 });
    await expect(page.getByText('Error fetching schema').count()).resolves.toBe(0);
    await shot('02-query-result');
  });

  it("opens GraphiQL's dialogs and completes a field from the schema", async () => {
    for (const name of ['Open settings dialog', 'Open short keys dialog']) {
      await page.getByRole('button', { name }).click();
      await page.getByRole('dialog').waitFor();
      await page.keyboard.press('Escape');
      await page.getByRole('dialog').waitFor({ state: 'detached' });
    }
    await page.locator('.graphiql-query-editor .CodeMirror').first().click();
    await page.keyboard.press('Control+End');
    await page.keyboard.insertText('\n{ netw');
    await page.keyboard.press('Control+Space');
    await page.locator('.CodeMirror-hints').getByText('networks', { exact: true }).waitFor({ timeout: 30_000 });
    await shot('03-completion');
    await page.keyboard.press('Escape');
  });

  it('loaded everything from the gateway: no request left 127.0.0.1, no policy violation', () => {
    const external = requested.filter((url) => {
      const { protocol, hostname } = new URL(url);
      return !(protocol === 'data:' || protocol === 'blob:' || hostname === '127.0.0.1');
    });
    expect(requested.length).toBeGreaterThan(1);
    expect(external).toEqual([]);
    expect(violations).toEqual([]);
  });

  it('leaves GraphQL clients as they were: POST, and GET with a query, whatever they accept', async () => {
    const posted = await fed.query('cbp-analyst', 'INTERDICTION', '{ routes(first: 1) { totalCount } }');
    expect(posted.status).toBe(200);
    expect(posted.body.data?.routes).toBeTruthy();
    const token = await fed.token('cbp-analyst');
    for (const accept of ['application/json', BROWSER_ACCEPT]) {
      const got = await send(fed.gatewayUrl, { method: 'GET', token, purpose: 'INTERDICTION', search: { query: '{ routes(first: 1) { totalCount } }' }, headers: { accept, 'apollo-require-preflight': 'true' } });
      expect(got.status, accept).toBe(200);
      expect(got.body.data?.routes, accept).toBeTruthy();
    }
  });

  it('is off in production: the same browser request gets a 400 JSON answer, and no IDE file is served', async () => {
    const page400 = await send(production.url, { method: 'GET', headers: { accept: BROWSER_ACCEPT } });
    expect(page400.status).toBe(400);
    expect(page400.headers.get('content-type')).toContain('application/json');
    expect(page400.text).not.toContain('<html');
    const asset = await send(new URL('/graphql/ide/assets/missing.js', production.url).toString(), { method: 'GET' });
    expect(asset.status).toBe(404);
    expect(asset.headers.get('content-type')).toContain('application/json');
  });
});
