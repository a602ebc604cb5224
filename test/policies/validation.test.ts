import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadPolicies, PolicyError } from '../../policies/index.js';

/**
 * Rule files are untrusted input: a malformed or contradictory one stops the service at
 * start-up with an error naming the file, the rule and the problem.
 */

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function ruleDir(files: Readonly<Record<string, unknown>>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-rules-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  return dir;
}

const base = { id: 'bad.rule', reason: 'a rule under test', action: 'read', subject: 'Route', categories: ['CORE'] };
const file = (...rules: readonly object[]): object => ({ description: 'test', rules });

function loadError(files: Readonly<Record<string, unknown>>): PolicyError {
  const dir = ruleDir(files);
  try {
    loadPolicies(dir);
  } catch (error) {
    if (error instanceof PolicyError) return error;
    throw error;
  }
  throw new Error('expected the rule files to be refused');
}

const CASES: readonly (readonly [string, object, string])[] = [
  ['an unknown category', { ...base, categories: ['SECRET'] }, 'unknown category "SECRET"'],
  ['an unknown field', { ...base, categories: undefined, fields: ['color'] }, 'unknown field "color" on Route'],
  ['a field one of its types lacks', { ...base, subject: ['Route', 'Network'], categories: undefined, fields: ['waypoints'] }, 'unknown field "waypoints" on Network'],
  ['an unknown operator', { ...base, conditions: { disseminate: { $contains: 'DHS' } } }, 'unknown operator $contains'],
  ['an unknown logical operator', { ...base, conditions: { $not: [{ ownerOrg: 'x' }] } }, 'unknown operator $not'],
  ['an unknown attribute', { ...base, conditions: { lastValidatedAt: { $lt: '${now}' } } }, 'unknown attribute "lastValidatedAt" for Route'],
  ['an unknown placeholder', { ...base, conditions: { ownerOrg: '${principal.badge}' } }, 'unknown placeholder ${principal.badge}'],
  ['a malformed placeholder', { ...base, conditions: { ownerOrg: 'org-${principal.org}' } }, 'malformed placeholder'],
  ['a single value where a list is needed', { ...base, conditions: { jurisdictions: { $in: '${principal.org}' } } }, 'needs a list or a list placeholder'],
  ['an ordering on text', { ...base, conditions: { ownerOrg: { $lt: 'm' } } }, 'ordering applies to times only'],
  ['a value the attribute never takes', { ...base, conditions: { ownerAgency: 'FBI' } }, '"FBI" is not one of CBP, ICE, PARTNER, NGO, OVERSIGHT, so the rule could never match'],
  ['an empty $in', { ...base, conditions: { disseminate: { $in: [] } } }, 'with no values could never match'],
  ['a contradiction', { ...base, conditions: { $and: [{ ownerOrg: 'a' }, { ownerOrg: 'b' }] } }, 'must equal both "a" and "b": the rule could never match'],
  ['equal and different at once', { ...base, conditions: { ownerOrg: { $eq: 'a', $ne: 'a' } } }, 'must both equal and differ from "a"'],
  ['null for an attribute never null', { ...base, conditions: { ownerOrg: null } }, 'is never null, so the rule could never match'],
  ['categories without fields on its types', { ...base, categories: ['PII'] }, 'categories PII have no fields on Route: the rule could never grant anything'],
  ['an empty principal list', { ...base, principal: { agencyIn: [] } }, 'principal.agencyIn is empty: no caller could ever match'],
  ['an unknown role', { ...base, principal: { roleIn: ['wizard'] } }, 'principal.roleIn names unknown "wizard"'],
  ['an unknown principal condition', { ...base, principal: { clearance: 'TS' } }, 'unknown principal condition "clearance"'],
  ['an unknown action', { ...base, action: 'delete' }, 'unknown action "delete"'],
  ['an unknown subject type', { ...base, subject: 'Vehicle' }, 'unknown subject type "Vehicle"'],
  ['a misspelt key', { ...base, conditons: { ownerOrg: 'x' } }, 'unknown key "conditons"'],
  ['an allow rule granting nothing', { ...base, categories: undefined }, 'an allow rule must name the categories or fields it grants'],
  ['read and write actions together', { ...base, action: ['read', 'update'] }, 'a rule either reads or writes'],
  ['a write rule naming fields', { ...base, action: 'update' }, 'write rules name no categories or fields'],
  ['a write action that never applies', { ...base, action: 'acceptTransfer', categories: undefined }, 'action "acceptTransfer" never applies to Route'],
  ['an access-log rule about a record', { ...base, action: 'readAuditLog', categories: undefined }, '"readAuditLog" is about no record: "subject" does not apply'],
  [
    'visibility decided by an attribute lists do not get',
    { ...base, subject: 'Network', conditions: { lastValidatedAt: { $gt: '${reviewCutoff}' } } },
    '"lastValidatedAt" decides whether a Network is visible, but list filters get no "lastValidatedAt" column',
  ],
  ['a reason missing', { ...base, reason: '' }, '"reason" must say'],
];

describe('a rule file is refused, naming file, rule and problem, for', () => {
  it.each(CASES)('%s', (_, rule, problem) => {
    const error = loadError({ 'bad.json': file(rule) });
    expect(error.message).toContain('bad.json');
    expect(error.message).toContain('rule bad.rule');
    expect(error.message).toContain(problem);
    expect(error.ruleId).toBe('bad.rule');
  });
});

describe('a rule set is refused for', () => {
  it('a duplicate rule id across files', () => {
    const error = loadError({ 'a.json': file(base), 'b.json': file(base) });
    expect(error.message).toMatch(/b\.json: rule bad\.rule: duplicate rule id \(also in .*a\.json\)/);
  });

  it('an allow rule and a deny rule sharing an id', () => {
    const error = loadError({ 'a.json': file(base), 'b.json': file({ ...base, inverted: true }) });
    expect(error.message).toContain('b.json: rule bad.rule: an allow rule and a deny rule share this id');
  });

  it('a file that is not JSON', () => {
    expect(loadError({ 'broken.json': '{ "rules": [' }).message).toMatch(/broken\.json: not a readable JSON file/);
  });

  it('a file without rules', () => {
    expect(loadError({ 'empty.json': { description: 'nothing' } }).message).toContain('empty.json: "rules" must be a non-empty list');
  });

  it('an unknown key at the top of a file', () => {
    expect(loadError({ 'extra.json': { rules: [base], version: 2 } }).message).toContain('extra.json: unknown key "version"');
  });

  it('a rule without a usable id', () => {
    expect(loadError({ 'noid.json': file({ ...base, id: 'NoDots' }) }).message).toContain('noid.json: rule #1: "id" must be a dotted name');
  });

  it('a directory without rule files', () => {
    const dir = ruleDir({ 'README.txt': 'no rules here' });
    expect(() => loadPolicies(dir)).toThrow(/no rule files/);
  });
});

describe('a well-formed rule file', () => {
  it('loads, with the rules in file order', () => {
    const dir = ruleDir({ 'ok.json': file(base, { ...base, id: 'bad.rule-two', inverted: true, categories: ['TACTICAL'] }) });
    const policies = loadPolicies(dir);
    expect(policies.rules.map((rule) => [rule.id, rule.effect])).toEqual([
      ['bad.rule', 'allow'],
      ['bad.rule-two', 'deny'],
    ]);
  });
});
