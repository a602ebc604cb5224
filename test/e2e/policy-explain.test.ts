import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../lib/paths.js';
import { seedIfEmpty } from '../../seed/index.js';
import { ExplainUsageError, explainRecord, parseExplainArgs, type ExplainOutcome, type ExplainRequest } from '../../scripts/policy-explain.js';
import { seededWorld } from '../support/seeded-world.js';
import { openTestStore, type TestStore } from '../support/store.js';

/**
 * `npm run policy:explain`: its core against a seeded store (the record read with the owning
 * subgraph's SQL, the decision explained rule by rule, a verdict per field), and the command
 * itself for what an operator gets wrong (unknown persona, type or id; a store in use).
 */

const { fixtures: f, now } = seededWorld();
const run = promisify(execFile);

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function command(args: readonly string[], env: Readonly<Record<string, string>>): Promise<Outcome> {
  const clean = { ...process.env, DATABASE_URL: '', DATA_DIR: '', ...env };
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'scripts/policy-explain.ts', ...args], { cwd: REPO_ROOT, env: clean });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: unknown; stderr?: unknown };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: String(failed.stdout ?? ''), stderr: String(failed.stderr ?? '') };
  }
}

describe('policy:explain', () => {
  let t: TestStore;
  beforeAll(async () => {
    t = await openTestStore();
    await seedIfEmpty(t.store, { scale: 'small' });
  });
  afterAll(async () => {
    await t?.close();
  });

  const explain = async (request: Omit<ExplainRequest, 'now'>): Promise<string> => {
    const outcome: ExplainOutcome = await explainRecord(t.store, { ...request, now });
    if (outcome.kind !== 'explained') throw new Error(outcome.message);
    return outcome.text;
  };

  it('names the rule that hides a whole record, and withholds every field by it', async () => {
    const text = await explain({ persona: 'ngo-shelter', purpose: 'HUMANITARIAN', type: 'Network', id: f.currentNetworkDhsPartnerId });
    expect(text).toMatch(/\[applies\] deny record ngo\.never-enforcement-records/);
    expect(text).toContain('Verdict: record withheld (withheld by ngo.never-enforcement-records');
    expect(text).toMatch(/^\s+intelligenceBasis\s+INTEL\s+withheld\s+ngo\.never-enforcement-records$/m);
  });

  it('names the rule deciding each field of a visible record: the 28 CFR 23 review withholds a stale network\'s INTEL', async () => {
    const text = await explain({ persona: 'cbp-analyst', purpose: 'INVESTIGATION', type: 'Network', id: f.staleNetworkId });
    expect(text).toContain(`Record: Network ${f.staleNetworkId} owned by ice-hsi-tucson (ICE)`);
    expect(text).toMatch(/\[applies\] deny INTEL cfr28\.review/);
    expect(text).toMatch(/^\s+name\s+CORE\s+released\s+dhs\.core$/m);
    expect(text).toMatch(/^\s+members\s+INTEL\s+withheld\s+cfr28\.review$/m);
    expect(text).toContain('Flagged for 28 CFR 23 review');
  });

  it('reads consent the way the NGO subgraph does: ICE sees a consented referral\'s service, never its notes', async () => {
    const text = await explain({ persona: 'ice-officer', purpose: 'RELEASE_COORDINATION', type: 'Referral', id: f.referralConsentIceReleaseId });
    expect(text).toMatch(/^\s+service\s+CORE\s+released\s+consent\.referral-grant$/m);
    expect(text).toMatch(/^\s+notes\s+NGO_CONFIDENTIAL\s+withheld\s+consent\.never-notes$/m);
    const revoked = await explain({ persona: 'ice-officer', purpose: 'RELEASE_COORDINATION', type: 'Referral', id: f.referralRevokedId });
    expect(revoked).toMatch(/consent\.referral-grant[^\n]*\n(\s+[^\n]*\n)*?\s+record: consent\.revokedAt is \S+, needs to be absent/);
  });

  it('shows the facts the owning subgraph computes: which NGOs a transfer notifies, from the referrals and consents', async () => {
    const text = await explain({ persona: 'ngo-legal', purpose: 'LEGAL_SERVICES', type: 'Transfer', id: f.transferWithoutReferralId });
    expect(text).toMatch(/ngo\.transfer-legal[^\n]*\n\s+record: notifiableNgoOrgs is \[\], needs to contain "ngo-frontera-legal"/);
    expect(text).toContain('Verdict: record withheld (withheld by deny-by-default');
  });

  it('explains a person reached as a network member (rule 3)', async () => {
    const text = await explain({
      persona: 'partner-saguaro',
      purpose: 'INVESTIGATION',
      type: 'Person',
      id: f.memberOfNetworkNamingSaguaroId,
      memberOf: f.networkNamingSaguaroId,
    });
    expect(text).toContain(`reached as Network.members of ${f.networkNamingSaguaroId}`);
    expect(text).toMatch(/^\s+name\s+PII\s+released\s+partner\.member-pii$/m);
    expect(text).toMatch(/^\s+protected1367\s+CORE\s+withheld\s+protected1367\.flag$/m);
  });

  it('answers not-found for an unknown or impossible id', async () => {
    for (const id of ['T-999999', "T-1' OR '1'='1"]) {
      expect(await explainRecord(t.store, { persona: 'ngo-legal', purpose: 'LEGAL_SERVICES', type: 'Transfer', id, now })).toMatchObject({ kind: 'not-found' });
    }
  });

  it('parses the command line: the persona\'s first purpose by default, any case of a type, clear refusals', () => {
    expect(parseExplainArgs(['--persona', 'ngo-legal', '--type', 'transfer', '--id', 'T-000001'], now)).toEqual({
      persona: 'ngo-legal',
      purpose: 'LEGAL_SERVICES',
      type: 'Transfer',
      id: 'T-000001',
      now,
      memberOf: undefined,
    });
    expect(() => parseExplainArgs(['--persona', 'nobody', '--type', 'Transfer', '--id', 'T-1'])).toThrow(/Unknown persona "nobody"; expected one of cbp-agent/);
    expect(() => parseExplainArgs(['--persona', 'auditor', '--type', 'Widget', '--id', 'T-1'])).toThrow(/Unknown record type "Widget"/);
    expect(() => parseExplainArgs(['--persona', 'auditor', '--type', 'Network', '--id', 'N-1', '--purpose', 'FUN'])).toThrow(/Unknown purpose "FUN"/);
    expect(() => parseExplainArgs(['--persona', 'auditor', '--type', 'Network'])).toThrow(ExplainUsageError);
  });

  describe('as a command', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'tributary-explain-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('exits 2 naming the unknown persona, before opening any store', async () => {
      const outcome = await command(['--persona', 'nobody', '--type', 'Transfer', '--id', 'T-000001'], { DATA_DIR: join(dir, 'absent') });
      expect(outcome.code).toBe(2);
      expect(outcome.stderr).toContain('Unknown persona "nobody"');
    });

    it('exits 2 without touching an embedded store another process holds, saying so', async () => {
      const held = join(dir, 'held');
      await mkdir(held);
      await writeFile(join(held, 'postmaster.pid'), '-42\n/pglite/data\n');
      const outcome = await command(['--persona', 'ngo-legal', '--type', 'Transfer', '--id', 'T-000001'], { DATA_DIR: held });
      expect(outcome.code).toBe(2);
      expect(outcome.stderr).toContain('is in use: PGlite serves one process at a time');
      expect(outcome.stderr).toContain('npm start');
    });

    it('exits 2 when there is no embedded store to read', async () => {
      const outcome = await command(['--persona', 'ngo-legal', '--type', 'Transfer', '--id', 'T-000001'], { DATA_DIR: join(dir, 'absent') });
      expect(outcome.code).toBe(2);
      expect(outcome.stderr).toContain('No embedded store at');
    });

    it.runIf(process.env.DATABASE_URL)('explains from the PostgreSQL in DATABASE_URL, and exits 2 for an unknown id', async () => {
      const env = { DATABASE_URL: t.url ?? '' };
      const ok = await command(['--persona', 'ngo-shelter', '--purpose', 'HUMANITARIAN', '--type', 'Route', '--id', f.routeWithNetworksId], env);
      expect(ok.code).toBe(0);
      expect(ok.stdout).toMatch(/^\s+waypoints\s+TACTICAL\s+withheld\s+ngo\.never-intel-tactical$/m);
      const missing = await command(['--persona', 'ngo-shelter', '--type', 'Route', '--id', 'R-999999'], env);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('No Route with id "R-999999"');
    });
  });
});
