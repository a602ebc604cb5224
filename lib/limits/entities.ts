import { Kind, type FieldNode, type OperationDefinitionNode, type ValueNode } from 'graphql';
import { fieldsOf, type Fragments } from './operation.js';

/**
 * Federation's entity fetch, `_entities(representations: [_Any!]!)`: how a router asks a
 * subgraph for the entities another subgraph referenced (a page of transfers' persons, their
 * encounters). Only subgraph schemas have it; the supergraph's API schema does not.
 *
 * For the operation limits it is a page whose size is the number of representations: a router
 * fetching 500 persons' encounters asks for 500 entities at once, a hand-written call may ask
 * for a hundred thousand, and what is selected under it runs once per entity.
 */
export const ENTITIES_FIELD = '_entities';
const REPRESENTATIONS = 'representations';

export const isEntitiesField = (field: FieldNode): boolean => field.name.value === ENTITIES_FIELD;

/**
 * How many representations an `_entities` field asks for: the length of its list, written
 * literally or passed as a variable (as routers do). `undefined` when the value is not a list,
 * which GraphQL's own coercion then refuses.
 */
export function representationCount(field: FieldNode, variables: ReadonlyMap<string, unknown>): number | undefined {
  const argument = field.arguments?.find((candidate) => candidate.name.value === REPRESENTATIONS);
  return argument === undefined ? undefined : listLength(argument.value, variables);
}

/**
 * The variables an operation's `_entities` fields read their representations from: with the
 * page variables, the only variables the cost estimate depends on.
 */
export function representationVariableNames(operation: OperationDefinitionNode, fragments: Fragments): string[] {
  const names = new Set<string>();
  for (const field of fieldsOf(operation, fragments)) {
    if (!isEntitiesField(field)) continue;
    const value = field.arguments?.find((argument) => argument.name.value === REPRESENTATIONS)?.value;
    if (value?.kind === Kind.VARIABLE) names.add(value.name.value);
  }
  return [...names];
}

function listLength(value: ValueNode, variables: ReadonlyMap<string, unknown>): number | undefined {
  switch (value.kind) {
    case Kind.LIST:
      return value.values.length;
    case Kind.VARIABLE: {
      const provided = variables.get(value.name.value);
      return Array.isArray(provided) ? provided.length : undefined;
    }
    default:
      // GraphQL coerces a single value into a list of one.
      return 1;
  }
}
