import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import {
  GraphQLError,
  Kind,
  TypeInfo,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  valueFromASTUntyped,
  visit,
  visitWithTypeInfo,
  type ArgumentNode,
  type ASTVisitor,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLArgument,
  type GraphQLInputType,
  type GraphQLNamedInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValidationRule,
  type ValueNode,
} from 'graphql';
import { cursorProblem } from '../connection.js';
import { malformedArgument, TributaryError } from '../errors.js';
import { calendarDateProblem, dateTimeProblem } from './scalars.js';

/**
 * Malformed arguments are the client's mistake: each is refused before execution with
 * BAD_USER_INPUT, HTTP 400 and a message naming the argument and what is wrong with it, so that
 * nothing is planned, read or written, and nothing deep down (PostgreSQL refusing a NUL byte, a
 * negative LIMIT) turns it into an internal error. One implementation, used by the gateway and by
 * every subgraph alike:
 *
 *   - `validationRule` judges the values written in the document (once per distinct document:
 *     Apollo caches what passes). On a subgraph it must run: a custom scalar's own parse
 *     function would otherwise refuse the literal during validation without naming the argument.
 *   - `plugin` judges the values of variables, per request, once the operation is resolved. The
 *     gateway needs it for custom scalars most of all: the supergraph's DateTime has no parse
 *     function, so without it a bad value travels to a subgraph inside a query plan.
 *
 * Enum values and wrong types are left to graphql-js, whose validation and variable coercion
 * already answer them with 400.
 */
export interface ArgumentChecks<C extends BaseContext> {
  readonly validationRule: ValidationRule;
  readonly plugin: ApolloServerPlugin<C>;
}

/** Ids in this API are short (`R-0001`, a UUID); anything past this is an attack on a log or an index. */
export const MAX_ID_LENGTH = 128;
/** The longest free text any argument takes (referral notes, reasons); the body limit stays the outer bound. */
export const MAX_STRING_LENGTH = 10_000;
/** Arguments that set a page size, and those that carry a cursor. */
const PAGE_SIZE_ARGUMENTS: ReadonlySet<string> = new Set(['first', 'last']);
const CURSOR_ARGUMENTS: ReadonlySet<string> = new Set(['after', 'before']);
const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 } as const;

/** With the `u` flag a surrogate pair is one code point: only lone halves match, and they are not UTF-8. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

export function useArgumentChecks<C extends BaseContext = BaseContext>(): ArgumentChecks<C> {
  return {
    validationRule: (context) => ({
      Argument(node) {
        const definition = context.getArgument();
        const owner = ownerOf(context.getDirective()?.name, context.getFieldDef()?.name);
        if (!definition || owner === undefined) return;
        // Variables are unknown here: `plugin` judges them per request.
        const problem = checkArgument(definition, node, owner, undefined);
        if (problem) context.reportError(problem);
      },
    }),
    plugin: {
      async requestDidStart() {
        return {
          async didResolveOperation({ schema, document, operation, request }) {
            // An operation without variables has nothing the validation rule has not seen.
            if (!operation || (operation.variableDefinitions ?? []).length === 0) return;
            // A thrown GraphQLError here is what Apollo sends back, with its code and HTTP status.
            const problem = checkOperationArguments(schema, document, operation, request.variables);
            if (problem) throw problem;
          },
          async didEncounterErrors({ errors }) {
            for (const error of errors) restoreCode(error);
          },
        };
      },
    },
  };
}

/** The first malformed argument of the operation (its fragments included), values of variables too. */
export function checkOperationArguments(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  provided: Readonly<Record<string, unknown>> | undefined,
): TributaryError | undefined {
  const variables = variableValues(operation, provided);
  const typeInfo = new TypeInfo(schema);
  let found: TributaryError | undefined;
  const visitor: ASTVisitor = visitWithTypeInfo(typeInfo, {
    Argument(node) {
      const definition = typeInfo.getArgument();
      const owner = ownerOf(typeInfo.getDirective()?.name, typeInfo.getFieldDef()?.name);
      if (!definition || owner === undefined || found) return;
      found = checkArgument(definition, node, owner, variables);
    },
  });
  visit(operation, visitor);
  for (const fragment of reachableFragments(document, operation)) {
    if (found) break;
    visit(fragment, visitor);
  }
  return found;
}

/**
 * Apollo wraps every validation error in its own, with code GRAPHQL_VALIDATION_FAILED (and HTTP
 * 400, which stays): a malformed literal is BAD_USER_INPUT like a malformed variable, so the
 * code our rule (or a custom scalar's parse function) gave is restored.
 */
function restoreCode(error: GraphQLError): void {
  const original = error.originalError;
  if (original instanceof TributaryError && original.code === 'BAD_USER_INPUT' && error.extensions['code'] !== original.code) {
    Object.assign(error.extensions, { ...original.extensions, code: original.code });
  }
}

/** Where an argument is written: on a field or on a directive. */
type Owner = { readonly kind: 'field' | 'directive'; readonly name: string };

const ownerOf = (directive: string | undefined, field: string | undefined): Owner | undefined =>
  directive !== undefined ? { kind: 'directive', name: `@${directive}` } : field !== undefined ? { kind: 'field', name: field } : undefined;

/** The message names what the client wrote itself: `Argument "filter.seenAfter" of field "routes" ...`. */
function checkArgument(
  definition: GraphQLArgument,
  node: ArgumentNode,
  owner: Owner,
  variables: ReadonlyMap<string, unknown> | undefined,
): TributaryError | undefined {
  const problem = literalProblem(definition.type, node.value, node.name.value, variables);
  if (problem === undefined) return undefined;
  return malformedArgument(`Argument "${problem.path}" of ${owner.kind} "${owner.name}" ${problem.reason}`, { argument: problem.path, [owner.kind]: owner.name }, node);
}

interface Problem {
  readonly path: string;
  readonly reason: string;
}

/** Walks a value as written; a variable switches to its value, when known. */
function literalProblem(type: GraphQLInputType, node: ValueNode, path: string, variables: ReadonlyMap<string, unknown> | undefined): Problem | undefined {
  if (node.kind === Kind.VARIABLE) {
    if (variables === undefined || !variables.has(node.name.value)) return undefined;
    return valueProblem(type, variables.get(node.name.value), path);
  }
  if (node.kind === Kind.NULL) return undefined;
  if (isNonNullType(type)) return literalProblem(type.ofType, node, path, variables);
  if (isListType(type)) {
    if (node.kind !== Kind.LIST) return literalProblem(type.ofType, node, path, variables);
    for (const [index, item] of node.values.entries()) {
      const problem = literalProblem(type.ofType, item, `${path}[${index}]`, variables);
      if (problem) return problem;
    }
    return undefined;
  }
  if (isInputObjectType(type)) {
    if (node.kind !== Kind.OBJECT) return undefined;
    const fields = type.getFields();
    for (const field of node.fields) {
      const definition = fields[field.name.value];
      const problem = definition && literalProblem(definition.type, field.value, `${path}.${field.name.value}`, variables);
      if (problem) return problem;
    }
    return undefined;
  }
  const leaf = leafOfLiteral(node, variables);
  return leaf === undefined ? undefined : leafProblem(type, leaf.value, path);
}

/** A leaf literal as the value it stands for; enums and wrong kinds are graphql-js's to refuse. */
function leafOfLiteral(node: ValueNode, variables: ReadonlyMap<string, unknown> | undefined): { readonly value: unknown } | undefined {
  switch (node.kind) {
    case Kind.STRING:
      return { value: node.value };
    case Kind.INT:
      return { value: Number(node.value) };
    case Kind.FLOAT:
      return { value: Number(node.value) };
    case Kind.BOOLEAN:
    case Kind.ENUM:
    case Kind.NULL:
      return undefined;
    case Kind.LIST:
    case Kind.OBJECT:
      // A structured literal for a custom scalar (`_Any` representations): judged as data.
      return { value: valueFromASTUntyped(node, variables === undefined ? undefined : Object.fromEntries(variables)) };
    case Kind.VARIABLE:
      return undefined;
  }
}

/** Walks a variable's value (JSON as the client sent it) along the type of the place it is used. */
function valueProblem(type: GraphQLInputType, value: unknown, path: string): Problem | undefined {
  if (value === null || value === undefined) return undefined;
  if (isNonNullType(type)) return valueProblem(type.ofType, value, path);
  if (isListType(type)) {
    if (!Array.isArray(value)) return valueProblem(type.ofType, value, path);
    for (const [index, item] of value.entries()) {
      const problem = valueProblem(type.ofType, item, `${path}[${index}]`);
      if (problem) return problem;
    }
    return undefined;
  }
  if (isInputObjectType(type)) {
    if (typeof value !== 'object' || Array.isArray(value)) return undefined;
    const fields = type.getFields();
    for (const [name, item] of Object.entries(value)) {
      const definition = fields[name];
      const problem = definition && valueProblem(definition.type, item, `${path}.${name}`);
      if (problem) return problem;
    }
    return undefined;
  }
  return leafProblem(type, value, path);
}

function leafProblem(type: GraphQLNamedInputType, value: unknown, path: string): Problem | undefined {
  const named = getNamedType(type);
  if (isEnumType(named)) return undefined;
  const name = path.slice(path.lastIndexOf('.') + 1);
  const reason = scalarProblem(named.name, name, value);
  return reason === undefined ? undefined : { path, reason };
}

/** Why a scalar's value is malformed, by the scalar's name (the gateway's scalars are bare names). */
function scalarProblem(scalar: string, argument: string, value: unknown): string | undefined {
  switch (scalar) {
    case 'DateTime':
      return dateTimeProblem(value);
    case 'Date':
      return calendarDateProblem(value);
    case 'Int':
      if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
      if (!Number.isInteger(value) || value < INT32.min || value > INT32.max) return `must be a whole number within 32 bits, got ${String(value).slice(0, 30)}`;
      if (PAGE_SIZE_ARGUMENTS.has(argument) && value < 0) return `is a page size and must be 0 or more, got ${value}`;
      return undefined;
    case 'Float':
    case 'Boolean':
      return undefined;
    case 'ID':
      return typeof value === 'string' ? stringProblem(value, MAX_ID_LENGTH) : undefined;
    case 'String':
      if (typeof value !== 'string') return undefined;
      return stringProblem(value, MAX_STRING_LENGTH) ?? (CURSOR_ARGUMENTS.has(argument) ? cursorProblem(value) : undefined);
    default:
      // A scalar we do not know the shape of (`_Any`, `_FieldSet`): every string in it is still
      // text that may reach a store.
      return dataProblem(value, 0);
  }
}

function stringProblem(value: string, maxLength: number): string | undefined {
  if (value.includes('\u0000')) return 'contains a NUL byte (\\u0000), which no text here may hold';
  if (LONE_SURROGATE.test(value)) return 'is not valid Unicode (it holds half of a UTF-16 surrogate pair)';
  if (value.length > maxLength) return `is ${value.length} characters long; the limit is ${maxLength}`;
  return undefined;
}

/** Every string inside a structured value; the body limit bounds its size, 64 levels its depth. */
function dataProblem(value: unknown, depth: number): string | undefined {
  if (depth > 64) return 'is nested too deeply';
  if (typeof value === 'string') return stringProblem(value, MAX_STRING_LENGTH);
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const problem = stringProblem(key, MAX_STRING_LENGTH) ?? dataProblem(item, depth + 1);
    if (problem) return problem;
  }
  return undefined;
}

/** The values variables have in this request: what the client sent, else the operation's default. */
function variableValues(operation: OperationDefinitionNode, provided: Readonly<Record<string, unknown>> | undefined): ReadonlyMap<string, unknown> {
  const values = new Map<string, unknown>();
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    if (provided !== undefined && Object.hasOwn(provided, name)) values.set(name, provided[name]);
    else if (definition.defaultValue) values.set(name, valueFromASTUntyped(definition.defaultValue));
  }
  return values;
}

/** The fragments the operation spreads, directly or through other fragments. */
function reachableFragments(document: DocumentNode, operation: OperationDefinitionNode): FragmentDefinitionNode[] {
  const byName = new Map(document.definitions.flatMap((definition) => (definition.kind === Kind.FRAGMENT_DEFINITION ? [[definition.name.value, definition] as const] : [])));
  const reached = new Map<string, FragmentDefinitionNode>();
  const pending = [operation.selectionSet];
  while (pending.length > 0) {
    const next = pending.pop();
    if (!next) break;
    visit(next, {
      FragmentSpread(spread) {
        const fragment = byName.get(spread.name.value);
        if (!fragment || reached.has(spread.name.value)) return;
        reached.set(spread.name.value, fragment);
        pending.push(fragment.selectionSet);
      },
    });
  }
  return [...reached.values()];
}
