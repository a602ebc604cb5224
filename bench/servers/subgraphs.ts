import { readSettings } from '../../lib/config.js';
import { SUBGRAPHS, type SubgraphName } from '../../lib/domain.js';
import { noopAuditWriter } from '../../lib/audit/noop-writer.js';
import { startFederation } from '../../scripts/federation.js';
import { allowAllPolicy } from './allow-all-policy.js';
import type { RunningServers } from './running.js';

/**
 * One set of subgraphs in this process, over the benchmark's database (already seeded).
 *
 * - `bare`: the same subgraph code, token verification included, with enforcement and audit
 *   switched off through the code-only injection points of RuntimeOptions (an allow-all
 *   policy engine and the no-op audit writer). The audit subgraph is left out: no workload
 *   reads the log, and its checkpointer would sign the other set's chains.
 * - `tributary`: every subgraph as shipped, audit to PostgreSQL with durable commits.
 */
export async function startSubgraphSet(kind: 'bare' | 'tributary', databaseUrl: string): Promise<RunningServers> {
  const settings = readSettings({ ...process.env, DATABASE_URL: databaseUrl, SEED_SCALE: 'off' });
  const services: SubgraphName[] = kind === 'bare' ? SUBGRAPHS.filter((name) => name !== 'audit') : [...SUBGRAPHS];
  const federation = await startFederation({
    settings,
    services,
    ephemeralPorts: true,
    seed: false,
    ...(kind === 'bare' ? { policy: allowAllPolicy, auditWriterFor: () => noopAuditWriter } : {}),
  });
  const { store, auditStore } = federation.runtime;
  return {
    url: '',
    urls: federation.urls,
    note: kind === 'bare' ? 'allow-all policy, no-op audit writer' : 'shipped policy, audit to PostgreSQL',
    roundTrips: () => store.roundTrips + (auditStore === store ? 0 : auditStore.roundTrips),
    close: () => federation.close(),
  };
}
