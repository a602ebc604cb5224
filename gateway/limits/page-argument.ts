import { Kind, type FieldNode, type OperationDefinitionNode, type ValueNode } from 'graphql';
import type { RawVariables } from './operation.js';

/** Arguments that set a page size, on any field (Relay's forward and backward pagination). */
const PAGE_ARGUMENTS: ReadonlySet<string> = new Set(['first', 'last']);

export interface PageArgument {
  readonly name: string;
  /** A whole number as the client sent it (possibly negative or huge). */
  readonly size: number;
}

/**
 * The operation's variable values a page argument may refer to: what the client sent, else the
 * variable's default in the operation. Values are read raw: a value that is not a whole number
 * is left to GraphQL's own coercion, which refuses it with a clear message at execution.
 */
export function variableValues(operation: OperationDefinitionNode, provided: RawVariables | undefined): ReadonlyMap<string, unknown> {
  const values = new Map<string, unknown>();
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    if (provided !== undefined && Object.hasOwn(provided, name)) values.set(name, provided[name]);
    else if (definition.defaultValue) values.set(name, literal(definition.defaultValue, new Map()));
  }
  return values;
}

/** The page arguments a field carries whose value is a whole number (omitted or `null` ones are not). */
export function pageArguments(field: FieldNode, variables: ReadonlyMap<string, unknown>): PageArgument[] {
  const found: PageArgument[] = [];
  for (const argument of field.arguments ?? []) {
    if (!PAGE_ARGUMENTS.has(argument.name.value)) continue;
    const size = literal(argument.value, variables);
    if (typeof size === 'number' && Number.isInteger(size)) found.push({ name: argument.name.value, size });
  }
  return found;
}

/** The largest page a field asks for, or `undefined` when it leaves the size to the server. */
export function requestedPageSize(field: FieldNode, variables: ReadonlyMap<string, unknown>): number | undefined {
  const sizes = pageArguments(field, variables).map((argument) => Math.max(0, argument.size));
  return sizes.length === 0 ? undefined : Math.max(...sizes);
}

function literal(value: ValueNode, variables: ReadonlyMap<string, unknown>): unknown {
  switch (value.kind) {
    case Kind.INT:
      return Number.parseInt(value.value, 10);
    case Kind.VARIABLE:
      return variables.get(value.name.value);
    default:
      // Floats, strings and the rest are not valid `Int` values: validation refuses them.
      return undefined;
  }
}
