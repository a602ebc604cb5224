import {
  Kind,
  getOperationAST,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

export type Fragments = ReadonlyMap<string, FragmentDefinitionNode>;

/** Variable values as a client sent them (JSON), before GraphQL coerces them. */
export type RawVariables = Readonly<Record<string, unknown>>;

export function fragmentsOf(document: DocumentNode): Fragments {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  return fragments;
}

/** The operation a request runs; `undefined` when the document does not name one unambiguously. */
export function operationOf(document: DocumentNode, operationName?: string | null): OperationDefinitionNode | undefined {
  return getOperationAST(document, operationName ?? undefined) ?? undefined;
}

/**
 * `__typename`, `__schema` and `__type` are answered by the gateway from the schema it already
 * holds, without calling a subgraph, so they add neither depth nor cost. The IDE's own
 * introspection query is deeper than 12 levels (`ofType` nests); introspection is off in
 * production (SPEC section 8), which is what bounds it there.
 */
export const isMetaField = (field: FieldNode): boolean => field.name.value.startsWith('__');

/**
 * Every field an operation selects, its fragments followed once each (a fragment's arguments
 * do not depend on where it is spread) and fragment cycles cut, so that an invalid document
 * cannot hang the walk before validation has rejected it.
 */
export function* fieldsOf(operation: OperationDefinitionNode, fragments: Fragments): Generator<FieldNode> {
  const seen = new Set<string>();
  const pending: SelectionSetNode[] = [operation.selectionSet];
  for (let set = pending.pop(); set !== undefined; set = pending.pop()) {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        yield selection;
        if (selection.selectionSet) pending.push(selection.selectionSet);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        pending.push(selection.selectionSet);
      } else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        const fragment = fragments.get(selection.name.value);
        if (fragment) pending.push(fragment.selectionSet);
      }
    }
  }
}
