import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SUBGRAPHS } from '../../lib/domain.js';
import { DEFAULT_PORTS } from '../../lib/config.js';
import { repoPath } from '../../lib/paths.js';

/**
 * The README's configuration table is the operators' one list of settings: every variable the
 * code reads must be in it, and every variable in it must be one the code reads. The code side is
 * found in the source, not in a list kept by hand, so that a new `env['X']` cannot slip past.
 */

const SERVICES = Object.keys(DEFAULT_PORTS).map((service) => service.toUpperCase());
const SUBGRAPH_NAMES = SUBGRAPHS.map((name) => name.toUpperCase());

/** Switches the code writes for a library, not settings an operator sets (see gateway/no-phone-home.ts). */
const NOT_SETTINGS = new Set(['APOLLO_TELEMETRY_DISABLED']);

/** Non-test source folders that make up the services and their commands. */
const SOURCE_FOLDERS = ['gateway', 'lib', 'subgraphs', 'policies', 'scripts', 'seed'];

function sourceFiles(folder: string): string[] {
  return readdirSync(repoPath(folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.includes('node_modules'))
    .map((file) => join(repoPath(folder), file));
}

/** Variable names the code reads: `env['X']`, `env.X`, `optional(env, 'X')`, and `${name}_PORT`-style templates. */
function variablesReadByCode(): Set<string> {
  const names = new Set<string>();
  for (const file of SOURCE_FOLDERS.flatMap(sourceFiles)) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/\benv(?:\[['"]([A-Z][A-Z0-9_]+)['"]\]|\.([A-Z][A-Z0-9_]+))/g)) names.add(match[1] ?? match[2] ?? '');
    for (const match of text.matchAll(/\((?:env|environment\(\)), '([A-Z][A-Z0-9_]+)'/g)) names.add(match[1] ?? '');
    for (const match of text.matchAll(/\$\{(service|name)\.toUpperCase\(\)\}_([A-Z]+)/g)) {
      for (const prefix of match[1] === 'service' ? SERVICES : SUBGRAPH_NAMES) names.add(`${prefix}_${match[2] ?? ''}`);
    }
  }
  // The operation limits are named in one table of their own (lib/limits/settings.ts).
  const limits = readFileSync(repoPath('lib', 'limits', 'settings.ts'), 'utf8');
  for (const match of limits.matchAll(/^\s+(LIMIT_[A-Z_]+):/gm)) names.add(match[1] ?? '');
  for (const name of NOT_SETTINGS) names.delete(name);
  names.delete('');
  return names;
}

/** Backticked names in the first column of the README's "## Configuration" table. */
function variablesInReadme(): Set<string> {
  const readme = readFileSync(repoPath('README.md'), 'utf8');
  const section = readme.split(/^## Configuration$/m)[1]?.split(/^## /m)[0] ?? '';
  const names = new Set<string>();
  for (const row of section.split('\n').filter((line) => line.startsWith('| `'))) {
    const firstColumn = row.split('|')[1] ?? '';
    for (const match of firstColumn.matchAll(/`([^`]+)`/g)) {
      const name = (match[1] ?? '').split('=')[0] ?? '';
      if (name.startsWith('<SERVICE>_')) for (const service of SERVICES) names.add(`${service}_${name.slice('<SERVICE>_'.length)}`);
      else if (name.startsWith('<SUBGRAPH>_')) for (const subgraph of SUBGRAPH_NAMES) names.add(`${subgraph}_${name.slice('<SUBGRAPH>_'.length)}`);
      else names.add(name);
    }
  }
  return names;
}

describe("the README's configuration table", () => {
  it('finds variables on both sides (the parsers still read what they mean to)', () => {
    expect(variablesReadByCode()).toContain('DATABASE_URL');
    expect(variablesReadByCode()).toContain('LIMIT_MAX_PAGE_SIZE');
    expect(variablesReadByCode()).toContain('ICE_URL');
    expect(variablesInReadme()).toContain('GATEWAY_PORT');
    expect(variablesInReadme()).toContain('NODE_ENV');
  });

  it('lists every variable the code reads', () => {
    const documented = variablesInReadme();
    expect([...variablesReadByCode()].filter((name) => !documented.has(name)).sort()).toEqual([]);
  });

  it('lists only variables the code reads', () => {
    const read = variablesReadByCode();
    expect([...variablesInReadme()].filter((name) => !read.has(name)).sort()).toEqual([]);
  });

  it('leaves the environment to lib/config.ts: no other service code reads process.env', () => {
    const readers = SOURCE_FOLDERS.flatMap(sourceFiles)
      .filter((file) => !file.endsWith(join('lib', 'config.ts')) && !file.endsWith(join('gateway', 'no-phone-home.ts')))
      .filter((file) => /\bprocess\.env\b/.test(readFileSync(file, 'utf8')));
    expect(readers).toEqual([]);
  });
});
