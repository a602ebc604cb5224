import { GraphQLError, Kind, parse, print, visit, type DefinitionNode, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { MANIFEST_FORMAT, MANIFEST_VERSION, operationHash, type Manifest, type PersistedOperation } from './manifest.js';

/** One `.graphql` file: where it is (for messages) and its text. */
export interface OperationSource {
  readonly file: string;
  readonly text: string;
}

/** A source that cannot become a manifest entry; the message names the file (and line). */
export class ManifestSourceError extends Error {
  override readonly name = 'ManifestSourceError';
}

/**
 * An application's operations as a persisted-query manifest, as Apollo's generator writes one:
 * each named operation becomes an entry whose body is the operation followed by every fragment
 * it uses (directly or through other fragments, by name), printed by graphql's `print`, and
 * whose id is the SHA-256 of that body. Fragments may live in any of the files. Entries are
 * sorted by name, so the same operations always give the same file.
 */
export function buildManifest(sources: readonly OperationSource[]): Manifest {
  const operations: { readonly file: string; readonly node: OperationDefinitionNode }[] = [];
  const fragments = new Map<string, { readonly file: string; readonly node: FragmentDefinitionNode }>();
  for (const source of sources) {
    for (const definition of definitionsOf(source)) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) {
        const other = fragments.get(definition.name.value);
        if (other) throw new ManifestSourceError(`${at(source.file, definition)}: fragment ${definition.name.value} is also defined in ${at(other.file, other.node)}`);
        fragments.set(definition.name.value, { file: source.file, node: definition });
      } else if (definition.kind === Kind.OPERATION_DEFINITION) {
        if (definition.name === undefined) throw new ManifestSourceError(`${at(source.file, definition)}: an anonymous ${definition.operation}; every operation needs a name`);
        operations.push({ file: source.file, node: definition });
      } else {
        throw new ManifestSourceError(`${at(source.file, definition)}: only operations and fragments belong here, not ${definition.kind}`);
      }
    }
  }
  const byName = new Map<string, { readonly file: string; readonly node: OperationDefinitionNode }>();
  for (const operation of operations) {
    const name = operation.node.name?.value ?? '';
    const other = byName.get(name);
    if (other) throw new ManifestSourceError(`${at(operation.file, operation.node)}: operation ${name} is also defined in ${at(other.file, other.node)}`);
    byName.set(name, operation);
  }
  const entries = [...byName.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, operation]): PersistedOperation => {
      const used = fragmentsUsed(operation.node, operation.file, fragments);
      const body = print({ kind: Kind.DOCUMENT, definitions: [operation.node, ...used] });
      return { id: operationHash(body), name, type: operation.node.operation, body };
    });
  return { format: MANIFEST_FORMAT, version: MANIFEST_VERSION, operations: entries };
}

/** The manifest as the command writes it: two-space JSON and a final newline. */
export const manifestJson = (manifest: Manifest): string => `${JSON.stringify(manifest, null, 2)}\n`;

function definitionsOf(source: OperationSource): readonly DefinitionNode[] {
  try {
    return parse(source.text).definitions;
  } catch (error) {
    if (error instanceof GraphQLError) {
      const where = error.locations?.[0];
      throw new ManifestSourceError(`${source.file}${where ? `:${where.line}:${where.column}` : ''}: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

/** Every fragment an operation spreads, transitively, sorted by name. */
function fragmentsUsed(
  operation: OperationDefinitionNode,
  file: string,
  fragments: ReadonlyMap<string, { readonly file: string; readonly node: FragmentDefinitionNode }>,
): FragmentDefinitionNode[] {
  const found = new Map<string, FragmentDefinitionNode>();
  const pending: (OperationDefinitionNode | FragmentDefinitionNode)[] = [operation];
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    visit(node, {
      FragmentSpread(spread) {
        const name = spread.name.value;
        if (found.has(name)) return;
        const fragment = fragments.get(name);
        if (!fragment) throw new ManifestSourceError(`${at(file, spread)}: operation ${operation.name?.value ?? ''} uses fragment ${name}, which no file defines`);
        found.set(name, fragment.node);
        pending.push(fragment.node);
      },
    });
  }
  return [...found.values()].sort((a, b) => (a.name.value < b.name.value ? -1 : a.name.value > b.name.value ? 1 : 0));
}

const at = (file: string, node: { readonly loc?: { readonly startToken: { readonly line: number } } | undefined }): string =>
  node.loc ? `${file}:${node.loc.startToken.line}` : file;
