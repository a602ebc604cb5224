import { maxAliasesRule as armorMaxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { Kind, type ASTVisitor, type GraphQLError, type OperationDefinitionNode, type SelectionSetNode, type ValidationContext, type ValidationRule } from 'graphql';
import type { TributaryError } from '../errors.js';
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
export function maxAliasesRule(limits: Pick<OperationLimits, 'maxAliases'>, rootFields: RootAliases = 'counted'): ValidationRule {
  const counter = (context: ValidationContext) =>
    armorMaxAliasesRule({
      n: limits.maxAliases,
      allowList: [],
      exposeLimits: true,
      propagateOnRejection: false,
      onReject: [(_context, error) => context.reportError(refusal(error, limits.maxAliases))],
    })(context);
  if (rootFields === 'counted') return (context: ValidationContext): ASTVisitor => counter(context);
  return (context: ValidationContext): ASTVisitor => {
    const count = counter(context);
    return { OperationDefinition: (operation) => count.onOperationDefinitionEnter(withoutRootAliases(operation)) };
  };
}

/**
 * Whether aliases on an operation's root fields count. At the gateway they do. At a subgraph they
 * do not (`exempt`): a router may merge the fetches it plans for one client operation into one
 * subgraph request by aliasing each root field (Hive Gateway sends
 * `{ _v0_transfers: transfers(...) { ... } _v1_transfers: transfers(...) { ... } }`), so root
 * aliases there count fetches, not a client's repetition. Each root field still pays its full
 * cost (cost.ts) and the token limit bounds how many there are, which is what stops a root field
 * being run again and again; aliases below the root count as at the gateway.
 */
export type RootAliases = 'counted' | 'exempt';

/** The operation as the counter sees it: its root fields (directly or in inline fragments) unaliased. */
function withoutRootAliases(operation: OperationDefinitionNode): OperationDefinitionNode {
  const unaliased = (set: SelectionSetNode): SelectionSetNode => ({
    ...set,
    selections: set.selections.map((selection) => {
      if (selection.kind === Kind.FIELD) {
        const { alias: _alias, ...unaliasedField } = selection;
        return unaliasedField;
      }
      if (selection.kind === Kind.INLINE_FRAGMENT) return { ...selection, selectionSet: unaliased(selection.selectionSet) };
      return selection;
    }),
  });
  return { ...operation, selectionSet: unaliased(operation.selectionSet) };
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
