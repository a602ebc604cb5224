import { Kind, type FieldNode, type OperationDefinitionNode, type ValueNode } from 'graphql';
import { fieldsOf, type Fragments, type RawVariables } from './operation.js';

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

/** A page argument as the operation writes it: a literal, or a variable known only per request. */
export interface WrittenPageArgument {
  readonly field: FieldNode;
  readonly name: string;
  readonly value: ValueNode;
}

/** Every page argument of an operation (fragments included), in the order `fieldsOf` walks them. */
export function writtenPageArguments(operation: OperationDefinitionNode, fragments: Fragments): WrittenPageArgument[] {
  const found: WrittenPageArgument[] = [];
  for (const field of fieldsOf(operation, fragments)) {
    for (const argument of field.arguments ?? []) {
      if (PAGE_ARGUMENTS.has(argument.name.value)) found.push({ field, name: argument.name.value, value: argument.value });
    }
  }
  return found;
}

/**
 * The names of the variables an operation's page arguments read: the only variables that page
 * sizes, and so the cost estimate, depend on.
 */
export function pageVariableNames(operation: OperationDefinitionNode, fragments: Fragments): string[] {
  const names = new Set<string>();
  for (const { value } of writtenPageArguments(operation, fragments)) {
    if (value.kind === Kind.VARIABLE) names.add(value.name.value);
  }
  return [...names];
}

/** The size a written page argument asks for, when it is a whole number (else `undefined`). */
export function pageSizeOf(argument: WrittenPageArgument, variables: ReadonlyMap<string, unknown>): number | undefined {
  const size = literal(argument.value, variables);
  return typeof size === 'number' && Number.isInteger(size) ? size : undefined;
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
