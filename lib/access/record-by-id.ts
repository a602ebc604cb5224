import type DataLoader from 'dataloader';
import type { GraphQLResolveInfo } from 'graphql';
import type { RecordType } from '../domain.js';
import { isRecordId } from '../validate.js';
import type { RecordKey } from './released-loaders.js';
import { selectedFields } from './selection.js';

/** A subgraph's loaders, of which `K` loads records `V` of one type by id (`releasedById`). */
type WithIdLoader<K extends string, V> = Readonly<Record<K, DataLoader<RecordKey, V, string>>>;

interface LoaderContext<L> {
  readonly loaders: L;
}

/**
 * One record by id through the subgraph's by-id loader, so the access funnel releases and
 * audits it with the rest of the batch. An id that is no record id names nothing: null,
 * the same answer as an unknown or invisible record, without a query.
 */
function loadById<K extends string, V>(
  context: LoaderContext<WithIdLoader<K, V>>,
  loader: K,
  type: RecordType,
  id: string,
  info: GraphQLResolveInfo,
): Promise<V> | null {
  return isRecordId(id) ? context.loaders[loader].load({ id, fields: selectedFields(info, type) }) : null;
}

/**
 * `Query.<record>(id:)`: e.g. `referral: recordQuery('referral', 'Referral')`. Generic in the
 * loaded record `V`, which the resolver map's type (the subgraph's context) fixes.
 */
export const recordQuery =
  <K extends string>(loader: K, type: RecordType) =>
  <V>(_: unknown, args: { readonly id: string }, context: LoaderContext<WithIdLoader<K, V>>, info: GraphQLResolveInfo) =>
    loadById(context, loader, type, args.id, info);

/** `<Record>.__resolveReference`: the gateway asks for an entity this subgraph owns. */
export const recordReference =
  <K extends string>(loader: K, type: RecordType) =>
  <V>(reference: { readonly id: string }, context: LoaderContext<WithIdLoader<K, V>>, info: GraphQLResolveInfo) =>
    loadById(context, loader, type, reference.id, info);

/** A reference to another subgraph's entity: its owner decides about the record itself. */
export interface EntityReference<T extends RecordType> {
  readonly __typename: T;
  readonly id: string;
}

/**
 * A link to another subgraph's record, or null where this record holds no id for it (an
 * encounter or booking recorded under a supplied identity links to no person).
 */
export const entityReference = <T extends RecordType>(type: T, id: string | null): EntityReference<T> | null =>
  id === null ? null : { __typename: type, id };

/** Other subgraphs' entities as a resolver map's parents (the codegen's mappers name these). */
export type NetworkReference = EntityReference<'Network'>;
export type PersonReference = EntityReference<'Person'>;
export type TransferReference = EntityReference<'Transfer'>;
