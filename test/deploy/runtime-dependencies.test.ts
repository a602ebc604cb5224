import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoPath } from '../../lib/paths.js';

// A production install (`npm ci --omit=dev`, the Dockerfile's runtime stage) has no
// devDependencies: any static import of one from the code the services run would fail at start.
// This walks the runtime import graph from its roots and names every such import.

/** The code the services run: these folders whole, and what `npm start` imports from scripts/. */
const RUNTIME_ROOTS = ['gateway', 'lib', 'subgraphs', 'policies', join('scripts', 'start.ts')];

/** A package's name from a bare specifier: `@scope/name/sub` is `@scope/name`, `name/sub` is `name`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

function devDependencies(): ReadonlySet<string> {
  const manifest: unknown = JSON.parse(readFileSync(repoPath('package.json'), 'utf8'));
  if (typeof manifest !== 'object' || manifest === null || !('devDependencies' in manifest)) return new Set();
  const dev: unknown = manifest.devDependencies;
  return new Set(typeof dev === 'object' && dev !== null ? Object.keys(dev) : []);
}

function typeScriptFiles(path: string): string[] {
  if (statSync(path).isFile()) return path.endsWith('.ts') ? [path] : [];
  return readdirSync(path).flatMap((name) => (name === 'node_modules' || name === 'dist' ? [] : typeScriptFiles(join(path, name))));
}

/**
 * The specifiers a module loads when it is evaluated: `import … from`, `export … from` and bare
 * `import '…'`, but not `import type` / `export type` (erased by the compiler) nor `import(…)`,
 * which loads only when the line runs (the development build's Vite, for one).
 */
function staticImports(source: string): string[] {
  const withoutComments = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const specifiers: string[] = [];
  const statement = /^\s*(import|export)\s+(type\s+)?([^'";]*?\bfrom\s+)?['"]([^'"]+)['"]/gm;
  for (const match of withoutComments.matchAll(statement)) {
    const [, keyword, typeOnly, clause, specifier] = match;
    if (typeOnly !== undefined || specifier === undefined) continue;
    // `export const x = …` is no re-export; only `export … from` and `import …` load a module.
    if (keyword === 'export' && clause === undefined) continue;
    // `import { type A, type B } from` loads nothing either.
    if (clause !== undefined && /^\{\s*(type\s+\w+(\s+as\s+\w+)?\s*,?\s*)+\}\s*from\s+$/.test(clause)) continue;
    specifiers.push(specifier);
  }
  return specifiers;
}

/** Each runtime module (relative to the repository) with the bare specifiers it imports statically. */
function runtimeImportGraph(): Map<string, string[]> {
  const pending = RUNTIME_ROOTS.flatMap((root) => typeScriptFiles(repoPath(root)));
  const bare = new Map<string, string[]>();
  while (pending.length > 0) {
    const file = pending.pop();
    if (file === undefined || bare.has(relative(repoPath(), file))) continue;
    const specifiers = staticImports(readFileSync(file, 'utf8'));
    bare.set(relative(repoPath(), file), specifiers.filter((specifier) => !specifier.startsWith('.') && !specifier.startsWith('node:')));
    for (const specifier of specifiers.filter((s) => s.startsWith('.'))) {
      // Sources import their siblings as `./x.js` (NodeNext); the file on disk is `x.ts`.
      const target = resolve(dirname(file), specifier.replace(/\.js$/, '.ts'));
      if (existsSync(target)) pending.push(target);
    }
  }
  return bare;
}

describe('the runtime import graph', () => {
  it('reads static imports and leaves out type-only and dynamic ones', () => {
    const source = [
      "import { a } from 'kept-a';",
      "import type { B } from 'type-only';",
      "import { type C } from 'type-only-too';",
      "export { d } from 'kept-d';",
      "export type { E } from 'type-only-again';",
      "import 'kept-side-effect';",
      "const vite = await import('dynamic');",
      "// import { f } from 'commented';",
    ].join('\n');
    expect(staticImports(source)).toEqual(['kept-a', 'kept-d', 'kept-side-effect']);
  });

  it('reaches the gateway, every subgraph and what npm start runs', () => {
    const graph = runtimeImportGraph();
    const modules = [...graph.keys()];
    expect([...graph.values()].flat()).toEqual(expect.arrayContaining(['graphql', '@apollo/gateway', 'pg']));
    expect(modules).toEqual(expect.arrayContaining([join('scripts', 'start.ts'), join('scripts', 'federation.ts'), join('gateway', 'gateway.ts')]));
    expect(modules.filter((module) => module.startsWith('subgraphs')).length).toBeGreaterThan(5);
  });

  it('never reaches bench/: the benchmark baselines (allow-all policy, the plain federation) are no product code', () => {
    const modules = [...runtimeImportGraph().keys()];
    expect(modules.length).toBeGreaterThan(50);
    expect(modules.filter((module) => module.split(sep)[0] === 'bench')).toEqual([]);
  });

  it('imports no development dependency statically, so a production install starts', () => {
    const dev = devDependencies();
    expect(dev.has('vite')).toBe(true);
    const offending = [...runtimeImportGraph()].flatMap(([module, specifiers]) =>
      specifiers.filter((specifier) => dev.has(packageName(specifier))).map((specifier) => `${module} imports ${specifier}`),
    );
    expect(offending).toEqual([]);
  });

  it('finds every package it imports statically among the declared dependencies', () => {
    const manifest: unknown = JSON.parse(readFileSync(repoPath('package.json'), 'utf8'));
    const declared =
      typeof manifest === 'object' && manifest !== null && 'dependencies' in manifest && typeof manifest.dependencies === 'object' && manifest.dependencies !== null
        ? new Set(Object.keys(manifest.dependencies))
        : new Set<string>();
    const undeclared = [...runtimeImportGraph()].flatMap(([module, specifiers]) =>
      specifiers.filter((specifier) => !declared.has(packageName(specifier))).map((specifier) => `${module} imports ${specifier}`),
    );
    expect(undeclared).toEqual([]);
  });
});

describe('the Dockerfile', () => {
  /** Its last stage, the image that runs: everything after the last FROM. */
  const runtimeStage = (): string => readFileSync(repoPath('Dockerfile'), 'utf8').split(/^FROM /m).at(-1) ?? '';

  it('installs only production dependencies in the image that runs', () => {
    expect(runtimeStage()).toMatch(/npm ci --omit=dev/);
    expect(runtimeStage()).not.toMatch(/npm run build/);
  });

  it('compiles the server code in the build stage and runs it in the image that runs', () => {
    const [, build] = readFileSync(repoPath('Dockerfile'), 'utf8').split(/^FROM /m);
    expect(build).toMatch(/npm run build\b/);
    expect(runtimeStage()).toMatch(/COPY --from=build \/app\/dist \.\/dist/);
    // npm start: the launcher, which runs dist/ with plain node (test/deploy/compiled.test.ts).
    expect(runtimeStage()).toMatch(/CMD \["npm", "start"\]/);
  });

  it('needs no TypeScript loader at run time: tsx and typescript are development dependencies', () => {
    const manifest = JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    expect(Object.keys(manifest.dependencies)).not.toContain('tsx');
    expect(Object.keys(manifest.devDependencies)).toEqual(expect.arrayContaining(['tsx', 'typescript']));
    // And the lockfile agrees, or `npm ci --omit=dev` would still install it.
    const lock = JSON.parse(readFileSync(repoPath('package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    expect(lock.packages['node_modules/tsx']?.dev).toBe(true);
    expect(lock.packages['node_modules/typescript']?.dev).toBe(true);
  });

  it('brings the console and the IDE built in the build stage', () => {
    expect(runtimeStage()).toMatch(/COPY --from=build \/app\/console\/dist/);
    expect(runtimeStage()).toMatch(/COPY --from=build \/app\/ide\/dist/);
  });
});
