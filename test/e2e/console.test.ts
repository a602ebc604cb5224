import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Download, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConsole, consoleRoute } from '../../gateway/console-route.js';
import { AUDIT_UNAVAILABLE_MESSAGE, createAuditWriter, readAuditPublicJwks, type AuditWriter } from '../../lib/audit/index.js';
import { verifyProof } from '../../lib/audit/proof-verify.js';
import type { ServiceName } from '../../lib/domain.js';
import { TributaryError } from '../../lib/errors.js';
import { mintToken, PERSONAS } from '../../lib/identity/index.js';
import { repoPath } from '../../lib/paths.js';
import { startExtraGateway } from '../support/extra-gateway.js';
import { openTestStore, type TestStore } from '../support/store.js';
import { startTestFederation, type TestFederation } from '../support/federation.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ARTIFACTS = repoPath('test-artifacts', 'console');

/**
 * The auditor console in a real browser, over the real gateway: built with Vite, served at
 * /console/ by the gateway's console route, signed in with an auditor's token pasted into the
 * "Bearer token" field. Screenshots of every view land in test-artifacts/console/.
 */
describe('the auditor console', () => {
  let fed: TestFederation;
  let store: TestStore;
  let browser: Browser;
  let page: Page;
  let origin: string;
  let dist: string;
  let personId: string;
  /** Flipped by a test: every audit append then fails, as with the audit store down. */
  let auditDown = false;

  const failable = (writer: AuditWriter): AuditWriter => ({
    chain: writer.chain,
    append: (entries) => (auditDown ? Promise.reject(new TributaryError('AUDIT_UNAVAILABLE', AUDIT_UNAVAILABLE_MESSAGE)) : writer.append(entries)),
  });

  const shot = (name: string): Promise<Buffer> => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`Chromium is not installed at ${CHROMIUM}: the console's end-to-end test needs it (apt-get update && apt-get install -y chromium)`);
    }
    dist = await mkdtemp(join(tmpdir(), 'tributary-console-'));
    await buildConsole(dist);
    await mkdir(ARTIFACTS, { recursive: true });

    store = await openTestStore();
    fed = await startTestFederation({
      store: store.store,
      auditWriterFor: (service: ServiceName) => failable(createAuditWriter(store.store, { service })),
      gatewayRoutes: consoleRoute({ root: dist }),
    });
    origin = new URL(fed.gatewayUrl).origin;

    // Traffic for the auditor to look at: reads across agencies, a burst of denials, a bad token.
    const transfers = await fed.query('ice-officer', 'CUSTODY_TRANSFER', '{ transfers(first: 30) { edges { node { id person { id name } } } } }');
    const people = (transfers.body.data?.transfers as { edges: { node: { person: { id: string } | null } }[] }).edges.flatMap((edge) => (edge.node.person ? [edge.node.person.id] : []));
    expect(people.length).toBeGreaterThan(0);
    personId = people[0] ?? '';
    const networks = await fed.query('cbp-analyst', 'INTERDICTION', '{ networks(first: 20) { edges { node { id name routes { id name } } } } }');
    const networkIds = (networks.body.data?.networks as { edges: { node: { id: string } }[] }).edges.map((edge) => edge.node.id);
    const probe = `{ ${networkIds.slice(0, 12).map((id, i) => `n${i}: network(id: "${id}") { id name }`).join(' ')} }`;
    await fed.query('ngo-shelter', 'HUMANITARIAN', probe);
    await fed.query('ngo-legal', 'LEGAL_SERVICES', '{ referrals(first: 10) { edges { node { id service status } } } }');
    await fed.query('partner-saguaro', 'CUSTODY_TRANSFER', '{ bookings(first: 10) { edges { node { id county } } } }');
    await fetch(fed.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer not-a-token', 'x-purpose-of-use': 'INTERDICTION' }, body: '{"query":"{ networks { totalCount } }"}' });

    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1366, height: 768 }, acceptDownloads: true });
  });

  afterAll(async () => {
    await browser?.close();
    await fed?.close();
    await store?.close();
    if (dist) await rm(dist, { recursive: true, force: true });
  });

  const signIn = async (token: string): Promise<void> => {
    await page.getByLabel('Bearer token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
  };

  it('asks for a bearer token at /console/', async () => {
    const response = await page.goto(`${origin}/console/`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-type']).toContain('text/html');
    await expect(page.getByLabel('Bearer token').isVisible()).resolves.toBe(true);
    await shot('01-sign-in');
  });

  it('signs an auditor in and lists the access log, newest first', async () => {
    await signIn(await fed.token('auditor'));
    await page.getByRole('heading', { name: 'Access log', level: 1 }).waitFor();
    await page.locator('tr.entry').first().waitFor();
    expect(await page.locator('tr.entry').count()).toBe(50);
    await expect(page.locator('.result-summary').textContent()).resolves.toMatch(/entries match\. Showing 1–50/);
    expect(await page.evaluate(() => sessionStorage.getItem('tributary.console.token'))).toBeTruthy();
    await shot('02-access-log');
  });

  it('works from the keyboard, with a visible focus ring', async () => {
    await page.locator('body').focus();
    await page.keyboard.press('Tab');
    await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe('Skip to content');
    await page.keyboard.press('Enter');
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('main');
    const expander = page.getByRole('button', { name: /^Details of entry / }).first();
    await expander.focus();
    const ring = await expander.evaluate((element) => getComputedStyle(element).outlineWidth);
    expect(ring).toBe('3px');
    await page.keyboard.press('Enter');
    await expect(expander.getAttribute('aria-expanded')).resolves.toBe('true');
    await page.keyboard.press('Space');
    await expect(expander.getAttribute('aria-expanded')).resolves.toBe('false');
  });

  it('pages forward and back with cursors', async () => {
    const firstId = await page.locator('tr.entry').first().locator('button.expander').getAttribute('aria-label');
    await page.getByRole('button', { name: 'Next page →' }).click();
    await page.locator('.result-summary', { hasText: 'Showing 51–' }).waitFor();
    expect(await page.locator('tr.entry').first().locator('button.expander').getAttribute('aria-label')).not.toBe(firstId);
    await page.getByRole('button', { name: '← Previous page' }).click();
    await page.locator('.result-summary', { hasText: 'Showing 1–' }).waitFor();
    expect(await page.locator('tr.entry').first().locator('button.expander').getAttribute('aria-label')).toBe(firstId);
  });

  it("filters the log to one person's entries", async () => {
    await page.getByLabel('Person id').fill(personId);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.locator('.result-summary', { hasText: `person id ${personId}` }).waitFor();
    expect(page.url()).toContain(`personId=${personId}`);
    const rows = await page.locator('tr.entry').count();
    expect(rows).toBeGreaterThan(0);
    await shot('03-log-one-person');
  });

  it('opens an entry to show everything it holds', async () => {
    await page.getByRole('button', { name: /^Details of entry / }).first().click();
    const details = page.locator('tr.details-row:not([hidden])').first();
    await details.waitFor();
    const text = (await details.textContent()) ?? '';
    for (const label of ['Fields released', 'Fields redacted', 'Rules', 'Request id', 'Event', 'Other records in this event', 'Event hash', 'Previous event hash', 'Reason']) expect(text).toContain(label);
    // The event the entry belongs to: its place in the chain and its item's place in it.
    expect(text).toMatch(/[a-z]+:\d+ · item \d+ of \d+/);
    expect(text).toContain(personId);
    expect(text).toMatch(/[0-9a-f]{64}/);
    await shot('04-entry-details');
  });

  it("downloads an entry's inclusion proof, which verifies with the audit service's public keys alone", async () => {
    const details = page.locator('tr.details-row:not([hidden])').first();
    const button = details.getByRole('button', { name: 'Download proof' });
    // The checkpointer signs every 10 s: until one covers the entry, the console says to retry.
    const deadline = Date.now() + 40_000;
    let download: Download | null = null;
    while (download === null) {
      const next = page.waitForEvent('download', { timeout: 4_000 }).catch(() => null);
      await button.click();
      download = await next;
      if (download !== null) break;
      await expect(details.locator('.proof-status').textContent()).resolves.toBe('No signed checkpoint covers this entry yet; try again in 10 seconds.');
      if (Date.now() > deadline) throw new Error('no checkpoint covered the entry within 40 s');
    }
    expect(download.suggestedFilename()).toMatch(/^tributary-proof-[A-Za-z0-9_.-]+\.json$/);
    const proof: unknown = JSON.parse(await readFile(await download.path(), 'utf8'));
    expect(await verifyProof(proof, await readAuditPublicJwks())).toMatchObject({ valid: true });
    await details.locator('.proof-status', { hasText: 'Saved.' }).waitFor();
  });

  it('exports the filtered entries as CSV', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    const path = await download.path();
    const csv = await readFile(path, 'utf8');
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^id,at,requestId,operationName,/);
    const total = Number(/^([\d,]+) entr/.exec((await page.locator('.result-summary').textContent()) ?? '')?.[1]?.replace(/,/g, ''));
    expect(lines.length - 1).toBe(total);
    expect(lines.slice(1).every((line) => line.includes(personId))).toBe(true);
    await page.locator('.export-status', { hasText: 'Exported' }).waitFor();
  });

  it('says plainly when no entry matches', async () => {
    await page.getByLabel('Person id').fill('P-NOBODY');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('No entries match', { exact: true }).waitFor();
    await expect(page.getByText('Nothing in the log matches person id P-NOBODY').isVisible()).resolves.toBe(true);
    await shot('05-no-entries-match');
  });

  it('draws the charts as SVG bars with tables beside them', async () => {
    await page.getByRole('link', { name: 'Charts' }).click();
    await page.getByRole('img', { name: 'Accesses per org per day' }).waitFor();
    expect(await page.locator('svg.chart rect.bar').count()).toBeGreaterThan(0);
    await expect(page.getByRole('img', { name: 'Denials by rule' }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole('img', { name: 'Redactions by field category' }).isVisible()).resolves.toBe(true);
    expect(await page.locator('details.chart-data table').count()).toBe(3);
    await shot('06-charts');
  });

  it("shows a person's access history on a timeline", async () => {
    await page.getByRole('link', { name: 'Person history' }).click();
    await page.getByLabel('Person id').fill(personId);
    await page.getByRole('button', { name: 'Show history' }).click();
    await page.getByRole('img', { name: `Who saw ${personId}'s records, and when` }).waitFor();
    expect(await page.locator('svg.chart .mark').count()).toBeGreaterThan(0);
    await expect(page.getByRole('heading', { name: `Who saw ${personId}'s records`, exact: true }).isVisible()).resolves.toBe(true);
    await shot('07-person-history');
  });

  it('lists anomalies with links to their entries', async () => {
    await page.getByRole('link', { name: 'Anomalies' }).click();
    const burst = page.locator('article.anomaly', { hasText: 'ngo-shelter@ngo-desert-refuge' });
    await burst.waitFor();
    await expect(burst.textContent()).resolves.toContain('Burst of denials');
    await shot('08-anomalies');
    await burst.getByRole('link', { name: /^Entry / }).first().click();
    await page.locator('tr.details-row:not([hidden])').first().waitFor();
    await expect(page.locator('tr.details-row:not([hidden])').first().textContent()).resolves.toContain('ngo-shelter@ngo-desert-refuge');
  });

  it('verifies the chain on demand', async () => {
    await page.getByRole('link', { name: 'Chain integrity' }).click();
    await page.getByText('Not verified in this session yet.').waitFor();
    await page.getByRole('button', { name: 'Verify now' }).click();
    await page.locator('.verdict', { hasText: 'Every chain verifies' }).waitFor();
    const facts = (await page.locator('.verification').textContent()) ?? '';
    expect(facts).toMatch(/Checked entries[\d,]+/);
    expect(facts).toContain('First broken entrynone');
    // The audit service signs a checkpoint every 10 s while entries are written: one may not exist yet.
    await page.locator('.checkpoints table, .checkpoints .empty-state').first().waitFor();
    await shot('09-chain');
  });

  it('says so when the audit store is unavailable, and stays signed in', async () => {
    auditDown = true;
    try {
      await page.getByRole('button', { name: 'Verify now' }).click();
      await page.getByRole('alert').filter({ hasText: 'The audit store is unavailable' }).waitFor();
      await shot('10-audit-unavailable');
    } finally {
      auditDown = false;
    }
    await expect(page.getByRole('button', { name: 'Sign out' }).isVisible()).resolves.toBe(true);
  });

  it('says so when the gateway cannot be reached', async () => {
    await page.route('**/graphql', (route) => route.abort('connectionrefused'));
    try {
      await page.getByRole('button', { name: 'Verify now' }).click();
      await page.getByRole('alert').filter({ hasText: 'The gateway is unreachable' }).waitFor();
      await shot('11-gateway-unreachable');
    } finally {
      await page.unroute('**/graphql');
    }
  });

  it("refuses a token that is not an auditor's, and stays signed out", async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(await fed.token('cbp-analyst'));
    await page.getByRole('alert').filter({ hasText: "This token is not an auditor's" }).waitFor();
    await expect(page.getByLabel('Bearer token').isVisible()).resolves.toBe(true);
    expect(await page.evaluate(() => sessionStorage.getItem('tributary.console.token'))).toBeNull();
    await shot('12-not-an-auditor');
  });

  it('sends an expired or invalid token back to sign-in with a clear message', async () => {
    const expired = await mintToken(PERSONAS.auditor, { now: new Date(Date.now() - 2 * 3600_000), expiresIn: 60 });
    await signIn(expired);
    await page.getByRole('alert').filter({ hasText: 'Your token has expired' }).waitFor();
    await signIn('eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.');
    await page.getByRole('alert').filter({ hasText: 'Your token has expired or is not valid' }).waitFor();
    await shot('13-invalid-token');
    expect(await page.evaluate(() => sessionStorage.getItem('tributary.console.token'))).toBeNull();
  });

  it('signs out when the token stored in the tab stops being accepted', async () => {
    await signIn(await fed.token('auditor'));
    // Signing in returns to the view the address names (the chain view, left before signing out).
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await page.getByRole('link', { name: 'Access log' }).click();
    await page.locator('tr.entry').first().waitFor();
    await page.evaluate(() => sessionStorage.setItem('tributary.console.token', 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln'));
    await page.reload();
    await page.getByRole('alert').filter({ hasText: 'Your token has expired or is not valid' }).waitFor();
    await expect(page.getByLabel('Bearer token').isVisible()).resolves.toBe(true);
  });

  it("works on a gateway that allows only the console's own operations (PERSISTED_OPERATIONS_ONLY)", async () => {
    const locked = await startExtraGateway(fed.federation, {
      settings: { persistedOperations: { mode: 'only', file: repoPath('console', 'operations.manifest.json') } },
      gateway: { routes: consoleRoute({ root: dist }) },
    });
    const lockedPage = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    try {
      const lockedOrigin = new URL(locked.url).origin;
      const refused: string[] = [];
      lockedPage.on('response', (response) => {
        if (response.url().endsWith('/graphql') && response.status() !== 200) refused.push(`${response.status()} ${response.url()}`);
      });
      await lockedPage.goto(`${lockedOrigin}/console/`);
      await lockedPage.getByLabel('Bearer token').fill(await fed.token('auditor'));
      await lockedPage.getByRole('button', { name: 'Sign in' }).click();
      await lockedPage.getByRole('heading', { name: 'Access log', level: 1 }).waitFor();
      await lockedPage.locator('tr.entry').first().waitFor();
      await lockedPage.getByRole('link', { name: 'Chain integrity' }).click();
      await lockedPage.getByRole('button', { name: 'Verify now' }).click();
      await lockedPage.locator('.verdict', { hasText: 'Every chain verifies' }).waitFor();
      expect(refused).toEqual([]);
      // The same gateway refuses what the console would never send.
      const other = await fetch(locked.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await fed.token('auditor')}`, 'x-purpose-of-use': 'OVERSIGHT_AUDIT' },
        body: JSON.stringify({ query: '{ auditChainStatus { valid } }' }),
      });
      expect(other.status).toBe(403);
    } finally {
      await lockedPage.close();
      await locked.close();
    }
  });
});
