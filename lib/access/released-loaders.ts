import DataLoader from 'dataloader';
import type { PolicyRecord, Relation } from './decision.js';
import type { RecordType } from '../domain.js';
import { sql, type Sql } from '../store/sql.js';
import type { Queryable, Row } from '../store/store.js';
import type { AccessFunnel, ReleaseItem } from './funnel.js';
import { idIn } from './record-meta.js';
import type { Released } from './released.js';

/** A record asked for by id, with the fields the query selects of it. */
export interface RecordKey {
  readonly id: string;
  readonly fields: readonly string[];
  readonly relation?: Relation | undefined;
}

/** The joined field list of a selection, computed once per array (selectedFields shares them). */
const fieldKeys = new WeakMap<readonly string[], string>();
function fieldsKey(fields: readonly string[]): string {
  let key = fieldKeys.get(fields);
  if (key === undefined) {
    key = fields.join(',');
    fieldKeys.set(fields, key);
  }
  return key;
}

const keyOf = (key: RecordKey): string => `${key.id}\u0000${fieldsKey(key.fields)}\u0000${key.relation?.parent.id ?? ''}`;

/**
 * Records by id, one SQL query and one audit append per batch: every `__resolveReference`
 * and every to-one relation of a request goes through here, so a page of 500 transfers asking
 * for their persons costs one person query, not 500.
 */
export function releasedById<T extends RecordType, R extends PolicyRecord<T>>(
  type: T,
  access: AccessFunnel,
  fetch: (ids: readonly string[]) => Promise<readonly R[]>,
): DataLoader<RecordKey, Released<R> | null, string> {
  return new DataLoader(
    async (keys) => {
      const ids = [...new Set(keys.map((key) => key.id))];
      const records = new Map((await fetch(ids)).map((record) => [record.id, record]));
      // Answers by position in the batch (DataLoader hands each cache key once), so no key
      // string is built again per record.
      const items: ReleaseItem<R>[] = [];
      const positions: number[] = [];
      keys.forEach((key, position) => {
        const record = records.get(key.id);
        if (record === undefined) return;
        items.push({ record, fields: key.fields, relation: key.relation });
        positions.push(position);
      });
      const released = await access.release(type, items);
      const answers: (Released<R> | null)[] = keys.map(() => null);
      positions.forEach((position, i) => {
        answers[position] = released[i] ?? null;
      });
      return answers;
    },
    { cacheKeyFn: keyOf },
  );
}

/** Where one type's records live: its SELECT, its id column and how a row reads. */
export interface RecordTable<R> {
  readonly select: Sql;
  readonly idColumn: Sql;
  readonly read: (row: Row) => R;
}

/** `releasedById` over one table: `<select> WHERE <id column> = ANY(ids)`, one query a batch. */
export const releasedRowsById = <T extends RecordType, R extends PolicyRecord<T>>(
  type: T,
  access: AccessFunnel,
  store: Queryable,
  table: RecordTable<R>,
): DataLoader<RecordKey, Released<R> | null, string> =>
  releasedById(type, access, async (ids) => (await store.query(sql`${table.select} WHERE ${idIn(table.idColumn, ids)}`)).map(table.read));

/** A to-many relation (a person's transfers): the parent id and the fields selected below it. */
export interface GroupKey {
  readonly parentId: string;
  readonly fields: readonly string[];
}

const groupKeyOf = (key: GroupKey): string => `${key.parentId}\u0000${fieldsKey(key.fields)}`;

/**
 * To-many relations, batched: one query for all parents of the batch (already narrowed by the
 * policy's SQL filter), one audit append, released records grouped back per parent.
 */
export function releasedGroups<T extends RecordType, R extends PolicyRecord<T>>(
  type: T,
  access: AccessFunnel,
  fetch: (parentIds: readonly string[]) => Promise<readonly { readonly parentId: string; readonly record: R }[]>,
): DataLoader<GroupKey, Released<R>[], string> {
  return new DataLoader(
    async (keys) => {
      const parentIds = [...new Set(keys.map((key) => key.parentId))];
      const rows = await fetch(parentIds);
      // Rows grouped by parent once: a page of 1,000 parents costs one pass, not 1,000.
      const byParent = new Map<string, R[]>();
      for (const row of rows) {
        const group = byParent.get(row.parentId);
        if (group) group.push(row.record);
        else byParent.set(row.parentId, [row.record]);
      }
      // Groups by position in the batch (DataLoader hands each cache key once): each item
      // remembers its group, so no key string is built per record.
      const items: ReleaseItem<R>[] = [];
      const owners: Released<R>[][] = [];
      const groups = keys.map((key) => {
        const group: Released<R>[] = [];
        for (const record of byParent.get(key.parentId) ?? []) {
          items.push({ record, fields: key.fields });
          owners.push(group);
        }
        return group;
      });
      const released = await access.release(type, items);
      released.forEach((record, i) => {
        if (record) owners[i]?.push(record);
      });
      return groups;
    },
    { cacheKeyFn: groupKeyOf },
  );
}
