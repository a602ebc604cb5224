import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { factsOf } from '../../policies/attributes.js';
import { loadPolicies } from '../../policies/load.js';
import { bindCondition } from '../../policies/bind.js';
import { compileMatcher } from '../../policies/compile-matcher.js';
import { matches } from '../../policies/match.js';
import { bindPlaceholders } from '../../policies/placeholders.js';
import { requestArbitrary, typedRecordArbitrary } from './arbitraries.js';

/**
 * The engine judges conditions through `compileMatcher` (prepared once per condition); `matches`
 * is the reference the list filter and the explanations follow. They must never disagree.
 */

const policies = loadPolicies();

describe('a prepared condition', () => {
  it('holds exactly when `matches` says it does, for every rule, caller and record', () => {
    fc.assert(
      fc.property(requestArbitrary(), typedRecordArbitrary(), (request, { type, record, relation }) => {
        const bindings = bindPlaceholders(request);
        const facts = factsOf(type, record, relation);
        for (const rule of policies.rules) {
          if (rule.conditions === null || !rule.subjects.includes(type)) continue;
          const bound = bindCondition(rule.conditions, bindings);
          expect(compileMatcher(bound)(facts), rule.id).toBe(matches(bound, facts));
        }
      }),
      { numRuns: 2000 },
    );
  });
});
