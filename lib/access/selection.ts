import { Kind, type FieldNode, type GraphQLOutputType, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

/**
 * Answers per field node of a parsed document: a page of 500 records asks the same question
 * 500 times (once per record's relation), and a cached document asks it again on every request.
 * Keyed weakly by the AST node, so entries live as long as the document does.
 */
const answers = new WeakMap<FieldNode, { readonly returnType: GraphQLOutputType; readonly byType: Map<string, readonly string[]> }>();

/**
 * The fields of `typeName` a query selects below the current field, so that an audit entry
 * lists the fields actually released or withheld, not every field the type has. Descends into
 * Relay connections (`edges { node }`), inline fragments and named fragments. The answer is
 * shared between callers: never mutate it.
 */
export function selectedFields(info: GraphQLResolveInfo, typeName: string): readonly string[] {
  const node = info.fieldNodes.length === 1 ? info.fieldNodes[0] : undefined;
  if (node === undefined) return computeSelectedFields(info, typeName);
  let answer = answers.get(node);
  if (answer === undefined || answer.returnType !== info.returnType) {
    answer = { returnType: info.returnType, byType: new Map() };
    answers.set(node, answer);
  }
  let fields = answer.byType.get(typeName);
  if (fields === undefined) {
    fields = computeSelectedFields(info, typeName);
    answer.byType.set(typeName, fields);
  }
  return fields;
}

function computeSelectedFields(info: GraphQLResolveInfo, typeName: string): string[] {
  const found = new Set<string>();
  const seenFragments = new Set<string>();

  const visit = (selectionSet: SelectionSetNode | undefined, inConnection: boolean): void => {
    if (!selectionSet) return;
    for (const selection of selectionSet.selections) {
      switch (selection.kind) {
        case Kind.FIELD:
          visitField(selection, inConnection);
          break;
        case Kind.INLINE_FRAGMENT:
          if (!selection.typeCondition || selection.typeCondition.name.value === typeName) visit(selection.selectionSet, inConnection);
          break;
        case Kind.FRAGMENT_SPREAD: {
          const name = selection.name.value;
          const fragment = info.fragments[name];
          if (!fragment || seenFragments.has(name)) break;
          seenFragments.add(name);
          if (fragment.typeCondition.name.value === typeName || inConnection) visit(fragment.selectionSet, inConnection);
          break;
        }
      }
    }
  };

  const visitField = (field: FieldNode, inConnection: boolean): void => {
    const name = field.name.value;
    if (inConnection && (name === 'edges' || name === 'node')) {
      visit(field.selectionSet, name === 'edges');
      return;
    }
    if (inConnection && (name === 'pageInfo' || name === 'totalCount' || name === 'cursor')) return;
    if (!name.startsWith('__')) found.add(name);
  };

  const isConnection = info.returnType.toString().replace(/[![\]]/g, '').endsWith('Connection');
  for (const node of info.fieldNodes) visit(node.selectionSet, isConnection);
  return [...found].sort();
}

/** Whether the current field's selection (through fragments) includes `name` directly. */
export function selectsField(info: GraphQLResolveInfo, name: string): boolean {
  const seen = new Set<string>();
  const search = (selectionSet: SelectionSetNode | undefined): boolean =>
    selectionSet?.selections.some((selection) => {
      if (selection.kind === Kind.FIELD) return selection.name.value === name;
      if (selection.kind === Kind.INLINE_FRAGMENT) return search(selection.selectionSet);
      const fragment = info.fragments[selection.name.value];
      if (!fragment || seen.has(selection.name.value)) return false;
      seen.add(selection.name.value);
      return search(fragment.selectionSet);
    }) ?? false;
  return info.fieldNodes.some((node) => search(node.selectionSet));
}
