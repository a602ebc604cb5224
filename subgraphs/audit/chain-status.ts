import type { AuditContext } from './loaders.js';

/**
 * auditChainWalk: the whole walk (verifyChains), for an auditor who must know
 * that no event was changed after the indexer verified it (the incremental status sees changes
 * at the verified head and at signed checkpoints, not in the middle of the log). The index lag
 * still comes from the indexer, the walk knowing nothing of it.
 */
export async function fullChainStatus(context: AuditContext) {
  const [walk, indexed] = await Promise.all([context.loaders.verifyChains(), context.loaders.chainStatus()]);
  const lag = new Map(indexed.chains.map((c) => [c.chain, c.indexLagMs]));
  return {
    ...walk,
    checkedAt: new Date(),
    indexLagMs: indexed.indexLagMs,
    stream: indexed.stream,
    chains: walk.chains.map((c) => ({ ...c, indexLagMs: lag.get(c.chain) ?? 0, verifiedAt: null })),
  };
}
