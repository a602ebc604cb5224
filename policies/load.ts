import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoPath } from '../lib/paths.js';
import { PolicyError } from './policy-error.js';
import { parseRule, type PolicyRule } from './rule.js';

/** A validated policy set: every rule of every rule file, in precedence order (see engine.ts). */
export interface Policies {
  /** Where the rules were read from. */
  readonly source: string;
  readonly files: readonly string[];
  readonly rules: readonly PolicyRule[];
}

/**
 * The default policy set of SPEC 5, one file per rule family: data beside the sources, found from
 * the repository root so that the compiled engine (dist/policies/) reads the same files.
 */
export const DEFAULT_RULES_DIR = repoPath('policies', 'rules');

const FILE_KEYS = ['description', 'rules'];

/**
 * Reads and validates every `*.json` rule file of `dir` (in name order). Synchronous and
 * meant for start-up: a malformed or contradictory file throws a PolicyError naming the file,
 * the rule and the problem, and the service does not start with a policy nobody wrote.
 */
export function loadPolicies(dir: string = DEFAULT_RULES_DIR): Policies {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.json')).sort();
  } catch (cause) {
    throw new PolicyError(dir, null, 'cannot read the rules directory', { cause });
  }
  if (names.length === 0) throw new PolicyError(dir, null, 'no rule files (*.json): everything would be denied');
  const files = names.map((name) => {
    const file = join(dir, name);
    let content: unknown;
    try {
      content = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    } catch (cause) {
      throw new PolicyError(file, null, `not a readable JSON file: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    }
    return { file, rules: parseRuleFile(file, content) };
  });
  return assemblePolicies(dir, files);
}

/** One rule file's content (already parsed JSON, still untrusted). */
export function parseRuleFile(file: string, content: unknown): readonly PolicyRule[] {
  if (typeof content !== 'object' || content === null || Array.isArray(content)) {
    throw new PolicyError(file, null, 'a rule file is an object: { "description": "...", "rules": [ ... ] }');
  }
  const raw = content as Readonly<Record<string, unknown>>;
  const extra = Object.keys(raw).filter((key) => !FILE_KEYS.includes(key));
  if (extra.length > 0) throw new PolicyError(file, null, `unknown key ${extra.map((key) => `"${key}"`).join(', ')} (known: ${FILE_KEYS.join(', ')})`);
  if (raw.description !== undefined && typeof raw.description !== 'string') throw new PolicyError(file, null, '"description" must be text');
  if (!Array.isArray(raw.rules) || raw.rules.length === 0) throw new PolicyError(file, null, '"rules" must be a non-empty list');
  return raw.rules.map((rule, index) => parseRule(rule, file, index));
}

/** Checks across files: rule ids are unique in the whole policy set. */
export function assemblePolicies(source: string, files: readonly { readonly file: string; readonly rules: readonly PolicyRule[] }[]): Policies {
  const seen = new Map<string, PolicyRule>();
  for (const { rules } of files) {
    for (const rule of rules) {
      const first = seen.get(rule.id);
      if (first) {
        const mixed = (first.effect === 'deny') !== (rule.effect === 'deny');
        throw new PolicyError(
          rule.file,
          rule.id,
          mixed
            ? `an allow rule and a deny rule share this id (the other is in ${first.file}): an audit entry quoting it could not say which one applied`
            : `duplicate rule id (also in ${first.file})`,
        );
      }
      seen.set(rule.id, rule);
    }
  }
  return { source, files: files.map(({ file }) => file), rules: files.flatMap(({ rules }) => rules) };
}
