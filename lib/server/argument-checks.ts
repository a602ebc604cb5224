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
import { malformedArgument, TributaryError } from '../errors.js';
import { scalarProblem } from './argument-values.js';

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
 * Install both (they lean on each other): the plugin leaves operations without variables to the
 * rule, and restores BAD_USER_INPUT on the rule's errors, which Apollo re-codes as validation
 * failures. List the plugin before the operation limits' plugins, so that a negative or 64-bit
 * `first` is refused as malformed rather than as too large, and before `logErrors`.
 *
 * Enum values and wrong types are left to graphql-js, whose validation and variable coercion
 * already answer them with 400.
 */
export interface ArgumentChecks<C extends BaseContext> {
  readonly validationRule: ValidationRule;
  readonly plugin: ApolloServerPlugin<C>;
}

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
  // Page sizes and cursors are arguments of their own (`first`, `after`), never input fields.
  const argument = /[.[]/.test(path) ? undefined : path;
  const reason = scalarProblem(named.name, argument, value);
  return reason === undefined ? undefined : { path, reason };
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
