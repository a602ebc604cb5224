import DataLoader from 'dataloader';
import type { Relation } from '../../lib/access/decision.js';
import { releasedGroups, releasedRowsById, type GroupKey, type RecordKey } from '../../lib/access/released-loaders.js';
import type { Released } from '../../lib/access/released.js';
import { idIn } from '../../lib/access/record-meta.js';
import type { RequestContext } from '../../lib/server/context.js';
import type { LoaderDeps } from '../../lib/server/subgraph.js';
import { and, raw, sql } from '../../lib/store/sql.js';
import { text } from '../../lib/store/row.js';
import {
  NETWORK_SELECT,
  PERSON_SELECT,
  readNetwork,
  readPerson,
  readTransfer,
  transferColumns,
  transferSelect,
  type NetworkRecord,
  type PersonRecord,
  type TransferRecord,
} from './records.js';

export interface NetworkMemberRow {
  readonly networkId: string;
  readonly personId: string;
  readonly role: string;
}

/** `NetworkMember`'s parent: a member row with the network it was read through (rule 3). */
export type NetworkMemberOf = NetworkMemberRow & { readonly relation: Relation };

export interface IceLoaders {
  readonly network: DataLoader<RecordKey, Released<NetworkRecord> | null, string>;
  readonly person: DataLoader<RecordKey, Released<PersonRecord> | null, string>;
  readonly transfer: DataLoader<RecordKey, Released<TransferRecord> | null, string>;
  readonly transfersOfPerson: DataLoader<GroupKey, Released<TransferRecord>[], string>;
  readonly membersOfNetwork: DataLoader<string, NetworkMemberRow[], string>;
}

export type IceContext = RequestContext<IceLoaders>;

export function iceLoaders({ store, access, request }: LoaderDeps): IceLoaders {
  const { now } = request;
  return {
    network: releasedRowsById('Network', access, store, { select: NETWORK_SELECT, idColumn: raw('n.id'), read: (row) => readNetwork(row, now) }),
    person: releasedRowsById('Person', access, store, { select: PERSON_SELECT, idColumn: raw('p.id'), read: readPerson }),
    transfer: releasedRowsById('Transfer', access, store, { select: transferSelect(now), idColumn: raw('t.id'), read: readTransfer }),
    transfersOfPerson: releasedGroups('Transfer', access, async (personIds) => {
      const visible = access.visibleWhere('Transfer', transferColumns(now));
      const rows = await store.query(
        sql`${transferSelect(now)} WHERE ${and([idIn(raw('t.person_id'), personIds), visible])} ORDER BY t.id`,
      );
      return rows.map((row) => ({ parentId: text(row, 'person_id'), record: readTransfer(row) }));
    }),
    // Members are a field of a network already released; each member's person is then released
    // on its own (with the network as its relation), so only the links are read here.
    membersOfNetwork: new DataLoader<string, NetworkMemberRow[], string>(async (networkIds) => {
      const rows = await store.query(
        sql`SELECT network_id, person_id, role FROM ice.network_members WHERE ${idIn(raw('network_id'), networkIds)} ORDER BY person_id`,
      );
      // Grouped in one pass: a page of 500 networks must not scan every member 500 times.
      const byNetwork = new Map<string, NetworkMemberRow[]>();
      for (const row of rows) {
        const member = { networkId: text(row, 'network_id'), personId: text(row, 'person_id'), role: text(row, 'role') };
        const group = byNetwork.get(member.networkId);
        if (group) group.push(member);
        else byNetwork.set(member.networkId, [member]);
      }
      return networkIds.map((id) => byNetwork.get(id) ?? []);
    }),
  };
}
