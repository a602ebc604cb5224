import { latestCheckpoints, verifyChains } from '../../lib/audit/index.js';
import { indexedChainStatus } from '../../lib/audit/indexer-status.js';
import { waitForIndex } from '../../lib/audit/indexer-wait.js';
import { streamExportStatus } from '../../lib/audit/stream-export-status.js';
import type { RequestContext } from '../../lib/server/context.js';
import type { LoaderDeps } from '../../lib/server/subgraph.js';
import { detectAnomalies } from './anomalies.js';
import { accessEventProofLoader } from './proof.js';
import { queryAccessLog, type AccessLogFilter, type AccessLogPage, type PageRequest } from './query.js';
import { accessesPerOrgPerDay, denialsByRule, redactionsByCategory, type TimeRange } from './summaries.js';

/**
 * The audit subgraph's read models, bound to the audit store (which is the records' store unless
 * AUDIT_DATABASE_URL splits it off). The other subgraphs batch record reads with DataLoader; the
 * audit log's reads are one query each, so its "loaders" are plain functions in the same slot.
 */
export interface AuditLoaders {
  readonly accessLog: (limits: { readonly maxPageSize: number }, filter: AccessLogFilter, page: PageRequest) => Promise<AccessLogPage>;
  readonly verifyChains: () => ReturnType<typeof verifyChains>;
  /** The indexer's incremental verification (lib/audit/indexer-status.ts), cached for a second, and the stream export's state. */
  readonly chainStatus: () => Promise<Awaited<ReturnType<typeof indexedChainStatus>> & { readonly stream: Awaited<ReturnType<typeof streamExportStatus>> }>;
  /** Before an auditor's query: until the per-item index holds every event committed before it (bounded). */
  readonly waitForIndex: () => ReturnType<typeof waitForIndex>;
  readonly latestCheckpoints: () => ReturnType<typeof latestCheckpoints>;
  readonly accessesPerOrgPerDay: (range: TimeRange) => ReturnType<typeof accessesPerOrgPerDay>;
  readonly denialsByRule: (range: TimeRange) => ReturnType<typeof denialsByRule>;
  readonly redactionsByCategory: (range: TimeRange) => ReturnType<typeof redactionsByCategory>;
  readonly anomalies: (range: TimeRange) => ReturnType<typeof detectAnomalies>;
  readonly accessEventProof: ReturnType<typeof accessEventProofLoader>;
}

export type AuditContext = RequestContext<AuditLoaders>;

export function auditLoaders({ auditStore }: LoaderDeps): AuditLoaders {
  return {
    accessLog: (limits, filter, page) => queryAccessLog(auditStore, limits, filter, page),
    verifyChains: () => verifyChains(auditStore),
    chainStatus: async () => {
      const [status, stream] = await Promise.all([indexedChainStatus(auditStore), streamExportStatus(auditStore)]);
      return { ...status, stream };
    },
    waitForIndex: () => waitForIndex(auditStore),
    latestCheckpoints: () => latestCheckpoints(auditStore),
    accessesPerOrgPerDay: (range) => accessesPerOrgPerDay(auditStore, range),
    denialsByRule: (range) => denialsByRule(auditStore, range),
    redactionsByCategory: (range) => redactionsByCategory(auditStore, range),
    anomalies: (range) => detectAnomalies(auditStore, range),
    accessEventProof: accessEventProofLoader(auditStore),
  };
}
