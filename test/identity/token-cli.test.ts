import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../lib/paths.js';
import { DEV_ISSUER, PERSONAS, PERSONA_NAMES, createTokenVerifier, loadTrustedIssuers } from '../../lib/identity/index.js';
import type { TokenVerifier } from '../../lib/identity/index.js';

const execFileAsync = promisify(execFile);

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

let dir: string;
let verify: TokenVerifier;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tributary-token-cli-'));
  verify = createTokenVerifier({ audience: 'tributary', issuers: await loadTrustedIssuers({ file: undefined, production: false, devIssuerDir: dir }) });
});

async function token(...args: string[]): Promise<Outcome> {
  return tokenWithEnv({}, ...args);
}

async function tokenWithEnv(extraEnv: Readonly<Record<string, string>>, ...args: string[]): Promise<Outcome> {
  const env = { ...process.env, DEV_ISSUER_DIR: dir, TOKEN_AUDIENCE: 'tributary', ...extraEnv };
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, ['--import', 'tsx', 'scripts/token.ts', ...args], { cwd: REPO_ROOT, env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: unknown; stderr?: unknown };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: String(failed.stdout), stderr: String(failed.stderr) };
  }
}

describe('npm run token', { timeout: 30_000 }, () => {
  it('prints only a persona token on stdout', async () => {
    const { code, stdout } = await token('--persona', 'cbp-analyst');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    await expect(verify(`Bearer ${stdout.trim()}`)).resolves.toEqual({ iss: DEV_ISSUER, ...PERSONAS['cbp-analyst'] });
  });

  it('lists the personas one per line', async () => {
    const { code, stdout } = await token('--list');
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines.map((line) => line.split(/\s+/)[0])).toEqual([...PERSONA_NAMES]);
  });

  it('composes claims from flags and overrides a persona', async () => {
    const composed = await token('--agency', 'CBP', '--org', 'cbp-rgv', '--roles', 'analyst,agent', '--jurisdictions', 'RGV', '--purposes', 'INVESTIGATION', '--pii', '--cfr28', '--sub', 'jdoe@cbp-rgv', '--ttl', '600');
    expect(composed.code).toBe(0);
    await expect(verify(`Bearer ${composed.stdout.trim()}`)).resolves.toEqual({
      iss: DEV_ISSUER,
      sub: 'jdoe@cbp-rgv',
      agency: 'CBP',
      org: 'cbp-rgv',
      roles: ['analyst', 'agent'],
      jurisdictions: ['RGV'],
      purposes: ['INVESTIGATION'],
      pii: true,
      cfr28: true,
      sworn: false,
    });

    const overridden = await token('--persona', 'ngo-shelter', '--no-pii', '--purpose', 'HUMANITARIAN');
    await expect(verify(`Bearer ${overridden.stdout.trim()}`)).resolves.toMatchObject({ org: 'ngo-desert-refuge', pii: false, purposes: ['HUMANITARIAN'] });
  });

  it('mints within the maximum token lifetime and refuses a longer --ttl rather than print a token services refuse', async () => {
    const day = await token('--persona', 'auditor', '--ttl', '86400');
    expect(day.code).toBe(0);
    const claims = JSON.parse(Buffer.from(day.stdout.trim().split('.')[1] ?? '', 'base64url').toString()) as { iat: number; exp: number };
    expect(claims.exp - claims.iat).toBe(86_400);

    const week = await token('--persona', 'auditor', '--ttl', '604800');
    expect(week.code).toBe(2);
    expect(week.stdout).toBe('');
    expect(week.stderr).toMatch(/--ttl 604800 exceeds the maximum token lifetime of 86400 s \(TOKEN_MAX_LIFETIME_SECONDS\)/);

    // The operator's maximum is the command's too; the default hour shrinks to fit under it.
    const short = await tokenWithEnv({ TOKEN_MAX_LIFETIME_SECONDS: '600' }, '--persona', 'auditor');
    expect(short.code).toBe(0);
    const shortClaims = JSON.parse(Buffer.from(short.stdout.trim().split('.')[1] ?? '', 'base64url').toString()) as { iat: number; exp: number };
    expect(shortClaims.exp - shortClaims.iat).toBe(600);
    expect((await tokenWithEnv({ TOKEN_MAX_LIFETIME_SECONDS: '600' }, '--persona', 'auditor', '--ttl', '601')).code).toBe(2);
  });

  it.each([
    [['--bogus'], /Unknown option '--bogus'/],
    [['--persona', 'nobody'], /unknown persona "nobody"/],
    [['--agency', 'CBP'], /at least --agency and --org/],
    [['--agency', 'FBI', '--org', 'x'], /--agency must be one of/],
    [['--agency', 'CBP', '--org', 'cbp-tucson', '--roles', 'analyst,wizard'], /--roles: unknown value "wizard"/],
    [['--persona', 'auditor', '--ttl', 'soon'], /--ttl must be a whole number/],
    [['stray'], /Unexpected argument 'stray'/],
  ])('exits with 2 and a message on stderr for %j', async (args, message) => {
    const { code, stdout, stderr } = await token(...args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
  });
});
