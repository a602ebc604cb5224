import { maxAliasesRule as armorMaxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import type { ASTVisitor, GraphQLError, ValidationContext, ValidationRule } from 'graphql';
import type { TributaryError } from '../../lib/errors.js';
import { operationLimitError } from './limit-error.js';
import type { OperationLimits } from './settings.js';

/**
 * Refuses operations with more than `maxAliases` aliased fields: an alias lets one expensive
 * field run again and again in a single request. graphql-armor's rule counts exactly what SPEC
 * section 8 means (every alias of the operation, through its fragments, each fragment counted
 * once per spread), so it is used as is, with two settings changed:
 *
 * - `allowList: []`: armor lets `__typename` aliases through uncounted, which would leave a
 *   flood of them unbounded (only the token limit would stop it);
 * - its rejection is reported as our `OPERATION_LIMIT` error instead of armor's `Syntax Error`
 *   (or, with its Apollo preset, `BAD_USER_INPUT`), and never thrown: a throwing rule makes
 *   Apollo Server answer 500.
 */
export function maxAliasesRule(limits: Pick<OperationLimits, 'maxAliases'>): ValidationRule {
  return (context: ValidationContext): ASTVisitor =>
    armorMaxAliasesRule({
      n: limits.maxAliases,
      allowList: [],
      exposeLimits: true,
      propagateOnRejection: false,
      onReject: [(_context, error) => context.reportError(refusal(error, limits.maxAliases))],
    })(context);
}

// Armor's reject callback receives only its message ("... exceeded, found 31."); the count is read
// back from it. The dependency is pinned, and the test of an alias flood checks the figure.
const FOUND = /found (\d+)\.?$/;

function refusal(armorError: GraphQLError, max: number): TributaryError {
  const found = FOUND.exec(armorError.message)?.[1];
  const actual = found === undefined ? undefined : Number(found);
  return actual === undefined
    ? operationLimitError('aliases', `Operation has more aliases than the limit of ${max}`, { max })
    : operationLimitError('aliases', `Operation has ${actual} aliases, exceeding the limit of ${max}`, { max, actual });
}
