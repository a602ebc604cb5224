import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoPath } from '../../lib/paths.js';

/**
 * Issue 13, SPEC 1: agency code touches only its own agency's tables; another agency's policy
 * facts arrive as `<owner>_facts.*` (published by the owner, replicated to the consumer). This
 * scans every non-test source (code, SQL and comments alike: a comment naming another agency's
 * table is how a cross read starts) for `<schema>.<table>` where the table is one an agency's
 * migrations create, and fails on any the file's owner does not own.
 */

const SOURCE_FOLDERS = ['subgraphs', 'lib', 'gateway', 'policies', 'seed'];
const EXTENSIONS = ['.ts', '.sql', '.json'];

/**
 * The seed is the one writer of every agency's records: each table's rows go to that agency's
 * own store (tables.ts names the tables, load.ts and reset.ts write or empty them there,
 * world.ts counts the rows per table, cli.ts reports them).
 */
const SEED_WRITERS = new Set(['seed/tables.ts', 'seed/load.ts', 'seed/reset.ts', 'seed/world.ts', 'seed/cli.ts']);

function sourceFiles(folder: string): string[] {
  return readdirSync(repoPath(folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => EXTENSIONS.some((ext) => file.endsWith(ext)) && !file.includes('node_modules'))
    .map((file) => join(repoPath(folder), file));
}

/** Every table each schema's migrations create: `schema -> tables`. */
function agencyTables(): Map<string, Set<string>> {
  const tables = new Map<string, Set<string>>();
  for (const file of sourceFiles('subgraphs').filter((path) => /\/migrations\/\d{3}_.+\.sql$/.test(path))) {
    for (const match of readFileSync(file, 'utf8').matchAll(/CREATE TABLE (?:IF NOT EXISTS )?(\w+)\.(\w+)/gi)) {
      const [, schema, table] = match;
      if (schema === undefined || table === undefined) continue;
      tables.set(schema, (tables.get(schema) ?? new Set()).add(table));
    }
  }
  return tables;
}

/** The schema a file may touch: its subgraph's own; the audit library writes the audit store. */
function ownerOf(path: string): string | null {
  const subgraph = /^subgraphs\/(\w+)\//.exec(path);
  if (subgraph?.[1] !== undefined) return subgraph[1];
  if (path.startsWith('lib/audit/')) return 'audit';
  return null;
}

/** `schema.table` references in `text` to tables of a schema other than `owner`. */
export function crossReferences(text: string, owner: string | null, tables: Map<string, Set<string>>): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(/\b([a-z_]+)\.([a-z_]+)\b/g)) {
    const [reference, schema, table] = match;
    if (schema === undefined || table === undefined || schema === owner) continue;
    if (tables.get(schema)?.has(table) === true) found.push(reference);
  }
  return found;
}

describe('no cross-agency reads (issue 13)', () => {
  const tables = agencyTables();

  it("knows every agency's tables from the migrations", () => {
    expect(tables.get('ice')).toEqual(new Set(['persons', 'networks', 'network_members', 'transfers']));
    expect(tables.get('partner')?.has('bookings')).toBe(true);
    expect(tables.get('cbp')?.has('encounters')).toBe(true);
    expect(tables.get('ngo')?.has('consents')).toBe(true);
    expect(tables.get('audit')?.has('entries')).toBe(true);
  });

  it('finds a cross read when there is one, and allows the published facts', () => {
    expect(crossReferences('JOIN ice.persons p ON p.id = r.person_id', 'ngo', tables)).toEqual(['ice.persons']);
    expect(crossReferences('FROM partner.bookings b', null, tables)).toEqual(['partner.bookings']);
    expect(crossReferences('JOIN ice_facts.persons p', 'ngo', tables)).toEqual([]);
    expect(crossReferences('FROM ngo.referrals r', 'ngo', tables)).toEqual([]);
  });

  it('no non-test source names another agency\'s table (only `<owner>_facts.*`)', () => {
    const violations: string[] = [];
    for (const folder of SOURCE_FOLDERS) {
      for (const file of sourceFiles(folder)) {
        const path = relative(repoPath(), file);
        if (SEED_WRITERS.has(path)) continue;
        for (const reference of crossReferences(readFileSync(file, 'utf8'), ownerOf(path), tables)) violations.push(`${path}: ${reference}`);
      }
    }
    expect(violations).toEqual([]);
  });
});
