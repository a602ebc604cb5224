import type DataLoader from 'dataloader';
import { releasedGroups, releasedRowsById, type GroupKey, type RecordKey } from '../../lib/access/released-loaders.js';
import type { Released } from '../../lib/access/released.js';
import { idIn } from '../../lib/access/record-meta.js';
import type { RequestContext } from '../../lib/server/context.js';
import type { LoaderDeps } from '../../lib/server/subgraph.js';
import { and, raw, sql } from '../../lib/store/sql.js';
import { text } from '../../lib/store/row.js';
import {
  PROVIDER_SELECT,
  REFERRAL_SELECT,
  providerColumns,
  readProvider,
  readReferral,
  referralColumns,
  type ProviderRecord,
  type ReferralRecord,
} from './records.js';

export interface NgoLoaders {
  readonly referral: DataLoader<RecordKey, Released<ReferralRecord> | null, string>;
  readonly provider: DataLoader<RecordKey, Released<ProviderRecord> | null, string>;
  /** Person.referrals, narrowed by the Referral policy in SQL. */
  readonly referralsOfPerson: DataLoader<GroupKey, Released<ReferralRecord>[], string>;
  /** Route.providers: the providers of a sector (the group key is the sector), narrowed by the Provider policy in SQL. */
  readonly providersOfSector: DataLoader<GroupKey, Released<ProviderRecord>[], string>;
}

export type NgoContext = RequestContext<NgoLoaders>;

export function ngoLoaders({ store, access }: LoaderDeps): NgoLoaders {
  return {
    referral: releasedRowsById('Referral', access, store, { select: REFERRAL_SELECT, idColumn: raw('r.id'), read: readReferral }),
    provider: releasedRowsById('Provider', access, store, { select: PROVIDER_SELECT, idColumn: raw('pv.id'), read: readProvider }),
    referralsOfPerson: releasedGroups('Referral', access, async (personIds) => {
      const visible = access.visibleWhere('Referral', referralColumns());
      const rows = await store.query(sql`${REFERRAL_SELECT} WHERE ${and([idIn(raw('r.person_id'), personIds), visible])} ORDER BY r.id`);
      return rows.map((row) => ({ parentId: text(row, 'person_id'), record: readReferral(row) }));
    }),
    providersOfSector: releasedGroups('Provider', access, async (sectors) => {
      const visible = access.visibleWhere('Provider', providerColumns());
      const rows = await store.query(sql`${PROVIDER_SELECT} WHERE ${and([idIn(raw('pv.sector'), sectors), visible])} ORDER BY pv.id`);
      return rows.map((row) => ({ parentId: text(row, 'sector'), record: readProvider(row) }));
    }),
  };
}
