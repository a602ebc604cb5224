import type { ASTVisitor, DirectiveNode, ValidationContext, ValidationRule } from 'graphql';
import { operationLimitError } from './limit-error.js';
import type { OperationLimits } from './settings.js';

/** Nodes a directive can sit on in an executable document, and how a message names them. */
interface Directed {
  readonly directives?: readonly DirectiveNode[] | undefined;
}

/**
 * Refuses any field (or fragment spread, inline fragment, operation, variable) carrying more than
 * `maxDirectivesPerField` directives: a directive flood makes validation and every directive
 * visitor do work per directive, and unknown directives multiply the errors sent back.
 * graphql-armor's max-directives counts directives across the whole operation instead, which
 * is not SPEC section 8's "per field" and would refuse a long legitimate query of many
 * `@include`s.
 */
export function maxDirectivesRule(limits: Pick<OperationLimits, 'maxDirectivesPerField'>): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    const check = (node: Directed, what: string): void => {
      const count = node.directives?.length ?? 0;
      if (count > limits.maxDirectivesPerField) {
        context.reportError(
          operationLimitError('directives', `${what} has ${count} directives, exceeding the limit of ${limits.maxDirectivesPerField}`, {
            max: limits.maxDirectivesPerField,
            actual: count,
          }),
        );
      }
    };
    return {
      Field: (node) => check(node, `Field "${node.alias?.value ?? node.name.value}"`),
      FragmentSpread: (node) => check(node, `Fragment spread "...${node.name.value}"`),
      InlineFragment: (node) => check(node, 'Inline fragment'),
      FragmentDefinition: (node) => check(node, `Fragment "${node.name.value}"`),
      OperationDefinition: (node) => check(node, node.name ? `Operation "${node.name.value}"` : 'Operation'),
      VariableDefinition: (node) => check(node, `Variable "$${node.variable.name.value}"`),
    };
  };
}
