import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoPath } from '../../lib/paths.js';

/**
 * Issue 16 item 8: the layers read one way. gateway/ and subgraphs/ sit on the policy engine
 * (policies/), which sits on the shared library (lib/); scripts/ assemble processes from all
 * of them. lib/ imports nothing above it: the funnel (lib/access) asks the engine through the
 * interface in lib/access/decision.ts, and whoever builds a runtime hands it the engine.
 * This scans every import specifier of every lib/ source and fails on one that resolves into
 * a folder above lib/.
 */

/** The top-level folders lib/ must not import from. */
const ABOVE_LIB = ['policies', 'gateway', 'subgraphs', 'scripts'];

/**
 * Relative module specifiers in `text`: static imports and re-exports (`from '...'`), side-effect
 * imports (`import '...'`) and dynamic imports (`import('...')`), including type-only ones, since
 * a type import is a dependency of the code's meaning too.
 */
export function relativeSpecifiers(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)(['"])(\.{1,2}\/[^'"]+)\1/g)) {
    if (match[2] !== undefined) found.push(match[2]);
  }
  return found;
}

/**
 * The imports of `text` (the source at repository path `path`) that resolve into one of the
 * folders above lib/, as `path -> target`.
 */
export function upwardImports(path: string, text: string): string[] {
  const root = repoPath();
  const violations: string[] = [];
  for (const specifier of relativeSpecifiers(text)) {
    const target = relative(root, resolve(root, dirname(path), specifier));
    const top = target.split('/')[0];
    if (top !== undefined && ABOVE_LIB.includes(top)) violations.push(`${path} -> ${target}`);
  }
  return violations;
}

function libSources(): string[] {
  return readdirSync(repoPath('lib'), { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.(?:[cm]?ts|[cm]?js)$/.test(file) && !file.includes('node_modules'))
    .map((file) => join('lib', file));
}

describe('layers (issue 16)', () => {
  it('finds every import form, and only relative ones', () => {
    const text = [
      "import { a } from '../../policies/index.js';",
      "import type { B } from '../access/decision.js';",
      "export { c } from './c.js';",
      "import './side-effect.js';",
      "const d = await import('../../gateway/gateway.js');",
      "import pino from 'pino';",
    ].join('\n');
    expect(relativeSpecifiers(text)).toEqual(['../../policies/index.js', '../access/decision.js', './c.js', './side-effect.js', '../../gateway/gateway.js']);
  });

  it('fails on a planted violation in each folder above lib/, and lets lib/ import lib/', () => {
    expect(upwardImports('lib/server/runtime.ts', "import { defaultPolicyEngine } from '../../policies/index.js';")).toEqual([
      'lib/server/runtime.ts -> policies/index.js',
    ]);
    expect(upwardImports('lib/access/funnel.ts', "import type { Runtime } from '../../gateway/gateway.js';")).toEqual(['lib/access/funnel.ts -> gateway/gateway.js']);
    expect(upwardImports('lib/config.ts', "export { x } from '../subgraphs/ice/records.js';")).toEqual(['lib/config.ts -> subgraphs/ice/records.js']);
    expect(upwardImports('lib/log.ts', "await import('../scripts/start.js');")).toEqual(['lib/log.ts -> scripts/start.js']);
    expect(upwardImports('lib/server/runtime.ts', "import type { PolicyEngine } from '../access/decision.js';")).toEqual([]);
    // A folder whose name merely starts like one above lib/ is not that folder.
    expect(upwardImports('lib/server/http.ts', "import { x } from '../../policies-cache/x.js';")).toEqual([]);
  });

  it('lib/ imports nothing from policies/, gateway/, subgraphs/ or scripts/', () => {
    const sources = libSources();
    // The scan must actually see the library (an empty list would pass vacuously).
    expect(sources).toContain('lib/access/funnel.ts');
    const violations = sources.flatMap((path) => upwardImports(path, readFileSync(repoPath(path), 'utf8')));
    expect(violations).toEqual([]);
  });
});
