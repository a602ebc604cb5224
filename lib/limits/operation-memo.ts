import type { DocumentNode, OperationDefinitionNode } from 'graphql';

/** What an operation-level fact is computed from. */
export type OperationFact<T> = (operation: OperationDefinitionNode, document: DocumentNode) => T;

/**
 * Remembers what a per-request limit computes from an operation's text alone, so that the work
 * is done once per distinct operation rather than on every request. Apollo Server parses and
 * validates a query text once and hands every later request with the same text the very same
 * `DocumentNode` (its document store), so the operation node is a stable key; an operation node
 * belongs to exactly one document, whose fragments therefore never change under it.
 *
 * Held weakly: an entry lives as long as Apollo keeps the document and goes with it, so this
 * needs no bound of its own. Whatever depends on a request's variables must not be computed
 * here, or must be keyed by those variables inside the value (as the cost limit does).
 */
export function memoByOperation<T>(compute: OperationFact<T>): OperationFact<T> {
  const memo = new WeakMap<OperationDefinitionNode, { readonly value: T }>();
  return (operation, document) => {
    const known = memo.get(operation);
    if (known !== undefined) return known.value;
    const value = compute(operation, document);
    memo.set(operation, { value });
    return value;
  };
}
