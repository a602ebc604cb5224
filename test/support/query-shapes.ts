import { buildSubgraphSchema } from '@apollo/subgraph';
import fc from 'fast-check';
import { getNamedType, isObjectType, isUnionType, parse, validate, type GraphQLField, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import type { SubgraphName } from '../../lib/domain.js';
import { loadSubgraphSdl } from '../../lib/server/subgraph.js';

/**
 * Random query shapes over one subgraph's own schema: root fields or `_entities`
 * representations, aliases (and the same field under two aliases), inline fragments, named
 * fragments, nested relations. A shape renders to GraphQL text and keeps, for every response
 * key, which field of which type it asks, so a checker can judge each value it gets back.
 */

/** One selected field, under one or two response keys, plain or inside a fragment. */
export interface Selected {
  readonly keys: readonly string[];
  readonly field: string;
  /** The named type of the field's value (`Network` for `[Network!]`). */
  readonly type: string;
  readonly wrap: 'plain' | 'inline' | 'named';
  readonly children: readonly Selected[] | null;
}

export interface Representation {
  readonly __typename: string;
  readonly id: string;
  readonly sector?: string;
}

export type Shape =
  | { readonly kind: 'root'; readonly field: string; readonly type: string; readonly args: Readonly<Record<string, string | number>>; readonly selection: readonly Selected[] }
  | {
      readonly kind: 'entities';
      readonly representations: readonly Representation[];
      /** Selection per entity type named by the representations. */
      readonly selections: Readonly<Record<string, readonly Selected[]>>;
    };

export interface SubgraphSchema {
  readonly name: SubgraphName;
  readonly schema: GraphQLSchema;
  readonly entityTypes: readonly string[];
}

export async function loadSubgraphSchema(name: SubgraphName): Promise<SubgraphSchema> {
  const schema = buildSubgraphSchema({ typeDefs: parse(await loadSubgraphSdl(name)) });
  const entity = schema.getType('_Entity');
  const entityTypes = isUnionType(entity) ? entity.getTypes().map((type) => type.name) : [];
  return { name, schema, entityTypes };
}

/** Ids to ask for, per record type (plus anything else: an unknown id must read null too). */
export type IdPools = Readonly<Record<string, readonly string[]>>;

const MAX_DEPTH = 3;
const SECTORS = ['TUCSON', 'RGV', 'EL_PASO', 'SAN_DIEGO'] as const;

const objectType = (schema: GraphQLSchema, name: string): GraphQLObjectType => {
  const type = schema.getType(name);
  if (!isObjectType(type)) throw new Error(`${name} is not an object type`);
  return type;
};

const selectable = (field: GraphQLField<unknown, unknown>): boolean =>
  !field.name.startsWith('_') && field.args.every((arg) => !String(arg.type).endsWith('!'));

function selectionArb(schema: GraphQLSchema, typeName: string, depth: number): fc.Arbitrary<readonly Selected[]> {
  const candidates = Object.values(objectType(schema, typeName).getFields()).filter(
    (field) => selectable(field) && (depth < MAX_DEPTH || !isObjectType(getNamedType(field.type))),
  );
  return fc
    .subarray(candidates, { minLength: 1, maxLength: Math.min(6, candidates.length) })
    .chain((fields) => fc.tuple(...fields.map((field) => selectedArb(schema, field, depth))))
    .map((items): readonly Selected[] => items);
}

function selectedArb(schema: GraphQLSchema, field: GraphQLField<unknown, unknown>, depth: number): fc.Arbitrary<Selected> {
  const named = getNamedType(field.type);
  const children = isObjectType(named) ? selectionArb(schema, named.name, depth + 1) : fc.constant(null);
  return fc.record({
    keys: fc.constantFrom<readonly string[]>([field.name], [`a_${field.name}`], [field.name, `b_${field.name}`]),
    field: fc.constant(field.name),
    type: fc.constant(named.name),
    wrap: fc.constantFrom<Selected['wrap']>('plain', 'inline', 'named'),
    children,
  });
}

/** A root field of the subgraph's Query (by id, or a first page of a list). */
export function rootShapeArb(sub: SubgraphSchema, ids: IdPools): fc.Arbitrary<Shape> {
  const roots = Object.values(sub.schema.getQueryType()?.getFields() ?? {}).filter(
    (field) => !field.name.startsWith('_') && field.args.every((arg) => arg.name === 'id' || !String(arg.type).endsWith('!')),
  );
  return fc.constantFrom(...roots).chain((field) => {
    const type = getNamedType(field.type).name;
    const recordType = type.replace(/Connection$/, '');
    const args: fc.Arbitrary<Readonly<Record<string, string | number>>> = field.args.some((arg) => arg.name === 'id')
      ? idArb(ids, recordType).map((id) => ({ id }))
      : field.args.some((arg) => arg.name === 'first')
        ? fc.integer({ min: 1, max: 4 }).map((first) => ({ first }))
        : fc.constant({});
    return fc.record({
      kind: fc.constant('root' as const),
      field: fc.constant(field.name),
      type: fc.constant(type),
      args,
      selection: selectionArb(sub.schema, type, 0),
    });
  });
}

/** `_entities` with one to three representations of the subgraph's entity types. */
export function entitiesShapeArb(sub: SubgraphSchema, ids: IdPools): fc.Arbitrary<Shape> {
  const representation = fc.constantFrom(...sub.entityTypes).chain((typename) =>
    fc.record({ id: idArb(ids, typename), sector: fc.constantFrom(...SECTORS) }).map(
      ({ id, sector }): Representation => (typename === 'Route' ? { __typename: typename, id, sector } : { __typename: typename, id }),
    ),
  );
  return fc.array(representation, { minLength: 1, maxLength: 3 }).chain((representations) => {
    const types = [...new Set(representations.map((rep) => rep.__typename))];
    return fc.tuple(...types.map((type) => selectionArb(sub.schema, type, 0))).map(
      (selections): Shape => ({ kind: 'entities', representations, selections: Object.fromEntries(types.map((type, i) => [type, selections[i] ?? []])) }),
    );
  }).filter((shape) => isValidShape(sub, shape));
}

/**
 * Whether the schema accepts the shape's query. Selections drawn per type can clash once they
 * meet under `_entities` (`status` is a TransferStatus on Transfer and a NetworkStatus on
 * Network: graphql-js refuses the pair unless aliased); such a query proves nothing about
 * policy, so it is not generated.
 */
const isValidShape = (sub: SubgraphSchema, shape: Shape): boolean => validate(sub.schema, parse(renderShape(shape).query)).length === 0;

const idArb = (ids: IdPools, type: string): fc.Arbitrary<string> => {
  const pool = ids[type] ?? [];
  return pool.length > 0 ? fc.oneof({ arbitrary: fc.constantFrom(...pool), weight: 9 }, { arbitrary: fc.constant(`${type.slice(0, 1)}-999999`), weight: 1 }) : fc.constant('X-000000');
};

/** GraphQL text and variables for a shape. */
export function renderShape(shape: Shape): { readonly query: string; readonly variables: Readonly<Record<string, unknown>> } {
  const fragments: string[] = [];
  const render = (type: string, selection: readonly Selected[]): string => {
    const part = (wrap: Selected['wrap']): string =>
      selection
        .filter((item) => item.wrap === wrap)
        .flatMap((item) => {
          const sub = item.children === null ? '' : ` { ${render(item.type, item.children)} }`;
          return item.keys.map((key) => `${key === item.field ? '' : `${key}: `}${item.field}${sub}`);
        })
        .join(' ');
    const plain = part('plain');
    const inline = part('inline');
    const named = part('named');
    const pieces = [plain];
    if (inline) pieces.push(`... on ${type} { ${inline} }`);
    if (named) {
      // Nested fragments were pushed while rendering `named`, so the count names this one uniquely.
      const name = `F${fragments.length + 1}`;
      fragments.push(`fragment ${name} on ${type} { ${named} }`);
      pieces.push(`...${name}`);
    }
    return pieces.filter((piece) => piece !== '').join(' ');
  };

  if (shape.kind === 'root') {
    const args = Object.entries(shape.args).map(([name, value]) => `${name}: ${JSON.stringify(value)}`);
    const body = `${shape.field}${args.length > 0 ? `(${args.join(', ')})` : ''} { ${render(shape.type, shape.selection)} }`;
    return { query: [`query Shape { ${body} }`, ...fragments].join('\n'), variables: {} };
  }
  const perType = Object.entries(shape.selections).map(([type, selection]) => `... on ${type} { ${render(type, selection)} }`);
  const query = [`query Shape($representations: [_Any!]!) { _entities(representations: $representations) { ${perType.join(' ')} } }`, ...fragments].join('\n');
  return { query, variables: { representations: shape.representations } };
}

/** A value the caller actually received: not null, and not an empty list. */
export const received = (value: unknown): boolean => value !== null && value !== undefined && !(Array.isArray(value) && value.length === 0);

export interface Visit {
  readonly path: string;
  readonly parentType: string;
  readonly field: string;
  readonly type: string;
  readonly value: unknown;
  /** True for the `_entities` element itself (its `id` is the caller's own representation). */
  readonly entityRoot: Representation | null;
}

/** Calls `visit` for every value of the response, with the field and type that produced it. */
export function walkResponse(shape: Shape, data: unknown, visit: (v: Visit) => void): void {
  const walk = (parentType: string, selection: readonly Selected[], value: unknown, path: string, entityRoot: Representation | null): void => {
    if (Array.isArray(value)) {
      value.forEach((item, i) => walk(parentType, selection, item, `${path}[${i}]`, entityRoot));
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    const object = value as Readonly<Record<string, unknown>>;
    for (const item of selection) {
      for (const key of item.keys) {
        const child = object[key];
        visit({ path: `${path}.${key}`, parentType, field: item.field, type: item.type, value: child, entityRoot });
        if (item.children !== null) walk(item.type, item.children, child, `${path}.${key}`, null);
      }
    }
  };
  if (typeof data !== 'object' || data === null) return;
  const root = data as Readonly<Record<string, unknown>>;
  if (shape.kind === 'root') {
    visit({ path: shape.field, parentType: 'Query', field: shape.field, type: shape.type, value: root[shape.field], entityRoot: null });
    walk(shape.type, shape.selection, root[shape.field], shape.field, null);
    return;
  }
  const entities = Array.isArray(root['_entities']) ? (root['_entities'] as readonly unknown[]) : [];
  shape.representations.forEach((rep, i) => {
    walk(rep.__typename, shape.selections[rep.__typename] ?? [], entities[i] ?? null, `_entities[${i}]`, rep);
  });
}

/**
 * Aliased fields as the gateway counts them (through fragments, once per spread): a field under
 * two keys repeats its sub-selection, fragments and all, once per key.
 */
export function aliasCount(shape: Shape): number {
  const count = (selection: readonly Selected[]): number =>
    selection.reduce((sum, item) => {
      const aliased = item.keys.filter((key) => key !== item.field).length;
      return sum + aliased + (item.children === null ? 0 : item.keys.length * count(item.children));
    }, 0);
  const selections = shape.kind === 'root' ? [shape.selection] : Object.values(shape.selections);
  return selections.reduce((sum, selection) => sum + count(selection), 0);
}
