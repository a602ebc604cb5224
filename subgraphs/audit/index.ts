import { auditPublicJwks, purgeBefore, retentionCutoff, startCheckpointer } from '../../lib/audit/index.js';
import type { RunningService } from '../../lib/server/http.js';
import type { Runtime } from '../../lib/server/runtime.js';
import { startSubgraph, type SubgraphDefinition } from '../../lib/server/subgraph.js';
import { auditLoaders, type AuditLoaders } from './loaders.js';
import { auditResolvers } from './resolvers.js';

/** The audit subgraph: the access log and its verification, for auditors only. */
export const auditSubgraph: SubgraphDefinition<AuditLoaders> = {
  name: 'audit',
  owns: [],
  resolvers: auditResolvers,
  loaders: auditLoaders,
};

const RETENTION_INTERVAL_MS = 60 * 60 * 1000;

/**
 * The audit service also signs checkpoints of every chain head (at least every 10 s while
 * entries are written, and once more on shutdown), so that cutting off the newest entries is
 * detectable; and, when AUDIT_RETENTION_DAYS is set, purges older entries hourly behind a
 * signed retention checkpoint, so the remaining chain still verifies.
 */
export async function startAuditService(runtime: Runtime, listen: { readonly port: number; readonly host: string }): Promise<RunningService> {
  const log = runtime.log.child({ service: 'audit' });
  const checkpointer = startCheckpointer(runtime.auditStore, {
    keySource: runtime.settings,
    onError: (error) => log.error({ err: error }, 'audit checkpoint failed'),
  });
  const purge = async (): Promise<void> => {
    const cutoff = retentionCutoff(runtime.settings.auditRetentionDays, runtime.clock());
    if (cutoff === null) return;
    const results = await purgeBefore(runtime.auditStore, cutoff, { keySource: runtime.settings });
    log.info({ cutoff, results }, 'audit retention purge');
  };
  // A malformed AUDIT_RETENTION_DAYS has already stopped the service, naming it (readSettings).
  const retention = setInterval(() => purge().catch((error: unknown) => log.error({ err: error }, 'audit retention purge failed')), RETENTION_INTERVAL_MS);
  retention.unref();
  // Public: auditors and `audit:verify` trust checkpoints by this set (AUDIT_JWKS_URL).
  const service = await startSubgraph(auditSubgraph, runtime, listen, { jwks: () => auditPublicJwks(runtime.settings) });
  return {
    ...service,
    async close() {
      clearInterval(retention);
      await service.close();
      await checkpointer.stop();
    },
  };
}
