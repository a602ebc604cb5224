import { readSettings, type Settings } from '../../lib/config.js';
import { isSubgraphName, type SubgraphName } from '../../lib/domain.js';
import { createRuntime } from '../../lib/server/runtime.js';
import { startGateway } from '../../gateway/gateway.js';
import { defaultPolicyEngine } from '../../policies/index.js';
import type { RunningServers } from './running.js';

/**
 * Tributary's gateway as shipped, in a process of its own: token verification, purpose check,
 * operation limits, the request-level audit entry (durably committed to PostgreSQL before the
 * query runs), forwarding to the shipped subgraph set.
 */
export async function startTributaryGateway(databaseUrl: string, subgraphUrls: Readonly<Record<string, string>>): Promise<RunningServers> {
  const base = readSettings({ ...process.env, DATABASE_URL: databaseUrl, SEED_SCALE: 'off' });
  const urls: Record<SubgraphName, string> = { ...base.subgraphUrls };
  for (const [name, url] of Object.entries(subgraphUrls)) if (isSubgraphName(name)) urls[name] = url;
  const settings: Settings = { ...base, subgraphUrls: urls };
  const runtime = await createRuntime(settings, { policy: defaultPolicyEngine() });
  const service = await startGateway({ ...runtime, settings }, { port: 0, host: settings.host });
  return {
    url: service.url,
    urls: { gateway: service.url },
    note: 'JWT, purpose, limits, request audit entry',
    roundTrips: () => runtime.store.roundTrips + (runtime.auditStore === runtime.store ? 0 : runtime.auditStore.roundTrips),
    async close() {
      await service.close();
      await runtime.close();
    },
  };
}
