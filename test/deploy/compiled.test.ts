import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoPath } from '../../lib/paths.js';
import { scriptArgs } from '../../lib/process/script-command.js';
import { compiledFile, ensureBuilt, isCurrent, sourceHash } from '../../scripts/launch.mjs';

// Production runs the JavaScript `npm run build:server` emits into dist/ (scripts/launch.mjs).
// These tests build it once (a no-op when its stamp matches the sources) and check what an image
// installed with `npm ci --omit=dev` relies on: every operator command runs compiled, and the
// compiled tree loads no package a production install lacks.

const run = promisify(execFile);

interface Manifest {
  readonly scripts: Readonly<Record<string, string>>;
  readonly dependencies: Readonly<Record<string, string>>;
  readonly devDependencies: Readonly<Record<string, string>>;
}
const manifest = (): Manifest => JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as Manifest;

/** What operators run in production, each through the launcher. */
const OPERATOR_SCRIPTS = ['start', 'start:gateway', 'start:cbp', 'start:ice', 'start:partner', 'start:ngo', 'start:audit', 'start:split', 'seed', 'token', 'keys', 'audit:verify', 'audit:prove', 'audit:verify-proof', 'policy:explain', 'operations:manifest'];

/** The TypeScript entry point an npm script launches (`node scripts/launch.mjs <entry> …`). */
const launchedEntry = (command: string): string | undefined => /^node scripts\/launch\.mjs ((?:scripts|seed)\/\S+\.ts)\b/.exec(command)?.[1];

const packageName = (specifier: string): string => {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
};

/**
 * Specifiers a compiled module loads when evaluated. Emitted JavaScript has no type-only imports
 * left, but `import { type A } from 'x'` is emitted as `import {} from 'x'` (verbatimModuleSyntax),
 * which does load `x`: the reason this reads dist/ and not the sources.
 */
function staticImports(source: string): string[] {
  const found: string[] = [];
  for (const match of source.matchAll(/^\s*(?:import|export)\s+(?:[^'";]*?\bfrom\s*)?['"]([^'"]+)['"]/gm)) if (match[1] !== undefined) found.push(match[1]);
  return found;
}

/** Each compiled module reachable from `entries`, with the bare specifiers it imports. */
function compiledImportGraph(entries: readonly string[]): Map<string, string[]> {
  const pending = [...entries];
  const graph = new Map<string, string[]>();
  while (pending.length > 0) {
    const file = pending.pop();
    if (file === undefined || graph.has(file)) continue;
    const specifiers = staticImports(readFileSync(file, 'utf8'));
    graph.set(file, specifiers.filter((specifier) => !specifier.startsWith('.') && !specifier.startsWith('node:')));
    for (const specifier of specifiers.filter((each) => each.startsWith('.'))) {
      const target = resolve(dirname(file), specifier);
      if (!existsSync(target)) throw new Error(`${relative(repoPath(), file)} imports ${specifier}, which the build did not emit`);
      pending.push(target);
    }
  }
  return graph;
}

beforeAll(() => {
  ensureBuilt();
}, 180_000);

describe('the compiled server code', () => {
  it('is current: its stamp holds the hash of the sources it was built from', () => {
    expect(isCurrent()).toBe(true);
    const stamp = JSON.parse(readFileSync(repoPath('dist', '.build-stamp'), 'utf8')) as { sources?: unknown };
    expect(stamp.sources).toBe(sourceHash());
    expect(sourceHash()).toMatch(/^[0-9a-f]{64}$/);
  });

  it('has a compiled entry point for every operator command, and each npm script runs it through the launcher', () => {
    const { scripts } = manifest();
    for (const name of OPERATOR_SCRIPTS) {
      const entry = launchedEntry(scripts[name] ?? '');
      expect(entry, `${name}: ${scripts[name]}`).toBeDefined();
      expect(existsSync(compiledFile(entry ?? '')), name).toBe(true);
      expect(scripts[name], name).not.toMatch(/\btsx\b/);
    }
  });

  it('loads only declared production dependencies, from every operator entry point', () => {
    const { scripts, dependencies, devDependencies } = manifest();
    const entries = OPERATOR_SCRIPTS.map((name) => compiledFile(launchedEntry(scripts[name] ?? '') ?? ''));
    // The supervisor's children: the store process and the services.
    entries.push(compiledFile('scripts/store-process.ts'));
    const graph = compiledImportGraph(entries);
    expect(graph.size).toBeGreaterThan(100);
    const imported = [...graph].flatMap(([file, specifiers]) => specifiers.map((specifier) => ({ file: relative(repoPath(), file), name: packageName(specifier) })));
    expect(imported.map((each) => each.name)).toEqual(expect.arrayContaining(['graphql', '@apollo/gateway', 'pg', '@electric-sql/pglite']));
    expect(imported.filter((each) => each.name in devDependencies).map((each) => `${each.file} imports ${each.name}`)).toEqual([]);
    expect(imported.filter((each) => !(each.name in dependencies)).map((each) => `${each.file} imports ${each.name}`)).toEqual([]);
    expect([...graph.keys()].filter((file) => !relative(repoPath('dist'), file).match(/^(lib|gateway|subgraphs|policies|schema|scripts|seed)\//))).toEqual([]);
  });

  it('finds its assets from the repository root, not from dist/ (nothing copied there)', async () => {
    const program = [
      "const { REPO_ROOT, RUNS_COMPILED } = await import('./dist/lib/paths.js');",
      "const { DEFAULT_RULES_DIR } = await import('./dist/policies/load.js');",
      'console.log(JSON.stringify({ REPO_ROOT, RUNS_COMPILED, DEFAULT_RULES_DIR }));',
    ].join('\n');
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', program], { cwd: repoPath() });
    expect(JSON.parse(stdout)).toEqual({ REPO_ROOT: `${repoPath()}/`, RUNS_COMPILED: true, DEFAULT_RULES_DIR: repoPath('policies', 'rules') });
  });

  it('runs an operator command compiled, with plain node', async () => {
    const { stdout } = await run(process.execPath, ['scripts/launch.mjs', 'scripts/token.ts', '--list'], { cwd: repoPath() });
    expect(stdout).toMatch(/cbp-analyst/);
  });
});

describe('the launcher', () => {
  const launch = (args: readonly string[], env: NodeJS.ProcessEnv = {}) =>
    run(process.execPath, ['scripts/launch.mjs', ...args], { cwd: repoPath(), env: { ...process.env, ...env } }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code?: number; stderr?: string }) => ({ code: error.code, stderr: error.stderr ?? '' }),
    );

  it('refuses what is no entry point of ours, with the reason', async () => {
    expect(await launch(['scripts/nothing-here.ts'])).toEqual({ code: 2, stderr: expect.stringContaining('expected a TypeScript entry point under scripts/ or seed/') });
    expect(await launch(['../etc/passwd'])).toEqual({ code: 2, stderr: expect.stringContaining('expected a TypeScript entry point') });
    expect(await launch([])).toEqual({ code: 2, stderr: expect.stringContaining('usage:') });
  });

  it('refuses a RUN_FROM_SOURCE that is neither 1 nor 0', async () => {
    expect(await launch(['scripts/token.ts', '--list'], { RUN_FROM_SOURCE: 'yes' })).toEqual({ code: 2, stderr: expect.stringContaining('RUN_FROM_SOURCE must be 1') });
  });

  it('runs the sources through tsx with RUN_FROM_SOURCE=1 (development without a build)', async () => {
    const { stdout } = await run(process.execPath, ['scripts/launch.mjs', 'scripts/token.ts', '--list'], { cwd: repoPath(), env: { ...process.env, RUN_FROM_SOURCE: '1' } });
    expect(stdout).toMatch(/cbp-analyst/);
  });
});

describe('a child process started by the supervisor', () => {
  it('runs the compiled file with plain node, or the source through tsx', () => {
    expect(scriptArgs('scripts/start.ts', 'compiled')).toEqual([repoPath('dist', 'scripts', 'start.js')]);
    expect(scriptArgs('scripts/start.ts', 'source')).toEqual(['--import', 'tsx', repoPath('scripts', 'start.ts')]);
    // Tests run the sources: so do their children unless asked otherwise.
    expect(scriptArgs('scripts/start.ts')).toEqual(['--import', 'tsx', repoPath('scripts', 'start.ts')]);
    expect(() => scriptArgs('/etc/passwd', 'compiled')).toThrow(/repository-relative \.ts path/);
  });
});
