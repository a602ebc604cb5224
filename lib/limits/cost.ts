import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import {
  Kind,
  getNamedType,
  getNullableType,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  type DocumentNode,
  type FieldNode,
  type GraphQLCompositeType,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { isEntitiesField, representationCount, representationVariableNames } from './entities.js';
import { formatCount, operationLimitError } from './limit-error.js';
import { memoByOperation } from './operation-memo.js';
import { fragmentsOf, isMetaField, operationOf, type Fragments, type RawVariables } from './operation.js';
import { pageVariableNames, requestedPageSize, variableValues } from './page-argument.js';
import type { OperationLimits } from './settings.js';

type CostModel = Pick<OperationLimits, 'defaultPageSize' | 'listFanOut'>;

/** Past this the estimate stops growing: it is refused either way, and the figure stays exact in JSON. */
const CEILING = Number.MAX_SAFE_INTEGER;

/**
 * Estimated work of an operation, in fields resolved: each field costs 1, and a field that
 * returns many records multiplies the cost of what is selected under it by how many:
 *
 * - a connection (a type with `edges`) by its `first`/`last`, or `defaultPageSize` (50) when
 *   omitted; the multiplier applies to its list (`edges`, `nodes`), not to `pageInfo` or
 *   `totalCount`, which are fetched once;
 * - a plain list (`routes`, `members`, `hazards`) by its `first`/`last` if it takes one, else by
 *   `listFanOut` (10), a guess at a typical record's related entities.
 *
 * - a subgraph's entity fetch (`_entities`, see entities.ts) by its number of representations,
 *   each entity costing 1 besides what is selected on it, as the field that referenced it
 *   (`person`) costs 1 in the operation the router planned the fetch for.
 *
 * So `networks(first: 500) { edges { node { id } } }` costs 1 + (1 + 500 x (1 + 1)) = 1,002, and
 * the fetch of those 500 networks' routes from another subgraph,
 * `_entities(representations: [500 networks]) { ... on Network { routes { id } } }`, costs
 * 1 + 500 x (1 + (1 + 10 x 1)) = 6,001.
 * Variables are read from the request (literals and defaults alike), which is why the check
 * runs per request rather than as a validation rule. Fragments are costed once per page-size
 * context, so fragments spread into fragments cannot make the estimate itself exponential.
 */
export function estimateCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: RawVariables | undefined,
  model: CostModel,
  operationName?: string | null,
): number {
  const operation = operationOf(document, operationName);
  return operation ? estimateOperationCost(schema, operation, fragmentsOf(document), variables, model) : 0;
}

export function estimateOperationCost(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Fragments,
  variables: RawVariables | undefined,
  model: CostModel,
): number {
  const values = variableValues(operation, variables);
  const memo = new Map<string, number>();
  const inProgress = new Set<string>();

  // `pageSize` is set for the direct children of a connection: the size its list will have.
  const setCost = (set: SelectionSetNode, parent: GraphQLCompositeType | undefined, pageSize: number | undefined): number => {
    let total = 0;
    for (const selection of set.selections) {
      switch (selection.kind) {
        case Kind.FIELD:
          total += fieldCost(selection, parent, pageSize);
          break;
        case Kind.INLINE_FRAGMENT:
          total += setCost(selection.selectionSet, compositeType(schema, selection.typeCondition?.name.value) ?? parent, pageSize);
          break;
        case Kind.FRAGMENT_SPREAD: {
          const fragment = fragments.get(selection.name.value);
          const key = `${selection.name.value}@${pageSize ?? ''}`;
          // A cycle (refused by validation anyway) costs nothing the second time round.
          if (!fragment || inProgress.has(key)) break;
          let cost = memo.get(key);
          if (cost === undefined) {
            inProgress.add(key);
            cost = setCost(fragment.selectionSet, compositeType(schema, fragment.typeCondition.name.value), pageSize);
            inProgress.delete(key);
            memo.set(key, cost);
          }
          total += cost;
          break;
        }
      }
    }
    return Math.min(total, CEILING);
  };

  const fieldCost = (field: FieldNode, parent: GraphQLCompositeType | undefined, pageSize: number | undefined): number => {
    if (isMetaField(field)) return 0;
    const definition = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[field.name.value] : undefined;
    const named = definition ? getNamedType(definition.type) : undefined;
    const child = isCompositeType(named) ? named : undefined;
    const requested = requestedPageSize(field, values);
    let multiplier = 1;
    let perItem = 0;
    let childPageSize: number | undefined;
    if (isConnection(named)) childPageSize = requested ?? model.defaultPageSize;
    else if (isEntitiesField(field)) {
      multiplier = representationCount(field, values) ?? model.listFanOut;
      perItem = 1;
    } else if (definition && isListType(getNullableType(definition.type))) multiplier = requested ?? pageSize ?? model.listFanOut;
    const below = field.selectionSet ? setCost(field.selectionSet, child, childPageSize) : 0;
    return Math.min(1 + multiplier * (perItem + below), CEILING);
  };

  return setCost(operation.selectionSet, rootType(schema, operation), undefined);
}

/** Refuses an operation whose estimated cost is above `maxCost`. */
export function checkCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: RawVariables | undefined,
  limits: Pick<OperationLimits, 'maxCost' | 'defaultPageSize' | 'listFanOut'>,
  operationName?: string | null,
): void {
  const operation = operationOf(document, operationName);
  if (operation) checkOperationCost(schema, operation, fragmentsOf(document), variables, limits);
}

function checkOperationCost(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Fragments,
  variables: RawVariables | undefined,
  limits: Pick<OperationLimits, 'maxCost' | 'defaultPageSize' | 'listFanOut'>,
): void {
  refuseCost(estimateOperationCost(schema, operation, fragments, variables, limits), limits);
}

function refuseCost(cost: number, limits: Pick<OperationLimits, 'maxCost'>): void {
  if (cost > limits.maxCost) {
    throw operationLimitError('cost', `Estimated operation cost ${formatCount(cost)} exceeds the limit of ${formatCount(limits.maxCost)}`, {
      max: limits.maxCost,
      actual: cost,
    });
  }
}

/**
 * Estimates already made for one operation. The estimate depends on the request only through
 * the values of the variables its page arguments read (`pageVariables`) and the lengths of the
 * representation lists its entity fetches read (`representationVariables`, subgraphs only), so
 * it is kept per combination of those: an operation without such variables is estimated once,
 * and one whose `$first` changes is estimated again for each new size. Kept per schema too,
 * since a supergraph update changes which fields are lists and connections.
 */
interface OperationCosts {
  readonly fragments: Fragments;
  readonly pageVariables: readonly string[];
  readonly representationVariables: readonly string[];
  readonly bySchema: WeakMap<GraphQLSchema, Map<string, number>>;
}

/** Sizes remembered per operation and schema: each size a client sends is a new key, so the oldest goes past it. */
const MAX_SIZES_PER_OPERATION = 32;

/**
 * The key of the page variables' values and the representation lists' lengths; a page value
 * that is not a whole number counts as absent, as in `pageArguments`, and so does a
 * representations value that is not a list, as in `representationCount`.
 */
function sizesKey(costs: OperationCosts, values: ReadonlyMap<string, unknown>): string {
  const pages = costs.pageVariables.map((name) => {
    const value = values.get(name);
    return typeof value === 'number' && Number.isInteger(value) ? String(value) : '';
  });
  const entities = costs.representationVariables.map((name) => {
    const value = values.get(name);
    return Array.isArray(value) ? String(value.length) : '';
  });
  return `${pages.join(',')}|${entities.join(',')}`;
}

/**
 * Apollo Server plugin: `checkCost` once the operation and its variables are known, with the
 * estimates remembered as `OperationCosts` explains. List it after `usePageSizeLimit`, so that
 * an oversized page is refused as such rather than as a cost.
 */
export function useCostLimit<C extends BaseContext = BaseContext>(limits: Pick<OperationLimits, 'maxCost' | 'defaultPageSize' | 'listFanOut'>): ApolloServerPlugin<C> {
  const costsOf = memoByOperation((operation, document): OperationCosts => {
    const fragments = fragmentsOf(document);
    return {
      fragments,
      pageVariables: pageVariableNames(operation, fragments),
      representationVariables: representationVariableNames(operation, fragments),
      bySchema: new WeakMap(),
    };
  });
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, operation, document, request }) {
          if (!operation) return;
          const costs = costsOf(operation, document);
          const { fragments, bySchema } = costs;
          let estimates = bySchema.get(schema);
          if (estimates === undefined) {
            estimates = new Map();
            bySchema.set(schema, estimates);
          }
          const variableDependent = costs.pageVariables.length > 0 || costs.representationVariables.length > 0;
          const key = variableDependent ? sizesKey(costs, variableValues(operation, request.variables)) : '';
          let cost = estimates.get(key);
          if (cost === undefined) {
            cost = estimateOperationCost(schema, operation, fragments, request.variables, limits);
            if (estimates.size >= MAX_SIZES_PER_OPERATION) {
              // Maps iterate in insertion order: the first key is the oldest estimate.
              const oldest = estimates.keys().next();
              if (oldest.done !== true) estimates.delete(oldest.value);
            }
            estimates.set(key, cost);
          }
          refuseCost(cost, limits);
        },
      };
    },
  };
}

function isConnection(type: GraphQLNamedType | undefined): boolean {
  return (isObjectType(type) || isInterfaceType(type)) && type.getFields()['edges'] !== undefined;
}

function compositeType(schema: GraphQLSchema, name: string | undefined): GraphQLCompositeType | undefined {
  const type = name === undefined ? undefined : schema.getType(name);
  return isCompositeType(type) ? type : undefined;
}

function rootType(schema: GraphQLSchema, operation: OperationDefinitionNode): GraphQLCompositeType | undefined {
  return schema.getRootType(operation.operation) ?? undefined;
}
