import { Kind, type ASTVisitor, type OperationDefinitionNode, type SelectionSetNode, type ValidationContext, type ValidationRule } from 'graphql';
import { operationLimitError } from './limit-error.js';
import { fragmentsOf, isMetaField, type Fragments } from './operation.js';
import type { OperationLimits } from './settings.js';

/**
 * Refuses operations nested deeper than `maxDepth` field levels. Written here rather than taken
 * from graphql-armor's max-depth, whose count differs from SPEC section 8 in ways that matter:
 * it counts `__typename` as a level, counts a fragment (inline or named) as a level of its own
 * unless `flattenFragments` is set, and hands its reject callback a message rather than the
 * depth it found.
 */
export function maxDepthRule(limits: Pick<OperationLimits, 'maxDepth'>): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = fragmentsOf(context.getDocument());
    const memo = new Map<string, number>();
    return {
      OperationDefinition(operation) {
        const depth = operationDepth(operation, fragments, memo);
        if (depth > limits.maxDepth) {
          const name = operation.name ? `Operation "${operation.name.value}"` : 'Operation';
          context.reportError(
            operationLimitError('depth', `${name} depth ${depth} exceeds the limit of ${limits.maxDepth}`, {
              max: limits.maxDepth,
              actual: depth,
            }),
          );
        }
      },
    };
  };
}

/**
 * Field levels of the deepest path: `{ networks { edges { node { id } } } }` is 4. Fragments
 * (inline or named) add no level of their own; each named fragment's depth is computed once
 * (it does not depend on where it is spread), which keeps a document that spreads fragments
 * into fragments linear to measure instead of exponential. A fragment that spreads itself
 * counts as nothing the second time round: `NoFragmentCyclesRule` refuses it anyway.
 */
export function operationDepth(operation: OperationDefinitionNode, fragments: Fragments, memo: Map<string, number> = new Map()): number {
  const inProgress = new Set<string>();
  const depthOf = (set: SelectionSetNode): number => {
    let deepest = 0;
    for (const selection of set.selections) {
      let depth = 0;
      if (selection.kind === Kind.FIELD) {
        if (!isMetaField(selection)) depth = 1 + (selection.selectionSet ? depthOf(selection.selectionSet) : 0);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        depth = depthOf(selection.selectionSet);
      } else {
        const name = selection.name.value;
        const known = memo.get(name);
        const fragment = fragments.get(name);
        if (known !== undefined) depth = known;
        else if (fragment && !inProgress.has(name)) {
          inProgress.add(name);
          depth = depthOf(fragment.selectionSet);
          inProgress.delete(name);
          memo.set(name, depth);
        }
      }
      deepest = Math.max(deepest, depth);
    }
    return deepest;
  };
  return depthOf(operation.selectionSet);
}
