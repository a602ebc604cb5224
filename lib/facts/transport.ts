import type { Logger } from 'pino';
import type { Settings } from '../config.js';
import { SUBGRAPHS, type SubgraphName } from '../domain.js';
import { serviceLocation } from '../server/stores.js';
import { sql } from '../store/sql.js';
import type { Store } from '../store/store.js';
import { ensureCopy } from './copies.js';
import { startCopyMonitor, type CopyMonitor, type CopyStatus } from './monitor.js';
import { CONSUMES, isFactOwner, type FactOwner } from './owners.js';
import { ensurePublication, startHeartbeat, type Heartbeat } from './publication.js';

/**
 * Starts the facts transport for the stores of one process: each owner's publication and
 * heartbeat in its own database, and in each consumer's database a copy (subscription) of the
 * facts of every owner whose database is another one, with a monitor of the copies' age.
 */

export interface TransportGroup {
  readonly store: Store;
  readonly services: readonly SubgraphName[];
  readonly location: string;
}

export interface FactTransport {
  /** The copies a service's policies read (empty when every owner shares its database). */
  copies(service: SubgraphName): readonly CopyStatus[];
  stop(): void;
}

const RETRY_MS = 1_000;

/** Whether, by the settings, some consumer of `owner`'s facts keeps its records in another database. */
const copiedElsewhere = (settings: Settings, owner: FactOwner): boolean =>
  SUBGRAPHS.some((consumer) => CONSUMES[consumer].includes(owner) && serviceLocation(settings, consumer) !== serviceLocation(settings, owner));

const isUrl = (location: string): boolean => /^postgres(ql)?:\/\//.test(location);

export async function startFactTransport(
  settings: Settings,
  groups: readonly TransportGroup[],
  ownerLocation: (owner: FactOwner, consumer: TransportGroup) => string,
  log: Logger,
): Promise<FactTransport> {
  const heartbeats: Heartbeat[] = [];
  const monitors = new Map<SubgraphName, CopyMonitor>();
  const timers: NodeJS.Timeout[] = [];
  let stopped = false;

  // Every publication of this process first, so that its own consumers find them.
  for (const group of groups) {
    for (const owner of group.services.filter(isFactOwner)) {
      await ensurePublication(group.store, owner);
      // Only a copy in another database needs the heartbeat; where every consumer shares the
      // owner's database, it would be a write every 250 ms that nobody reads.
      if (group.store.kind === 'postgres' && copiedElsewhere(settings, owner)) heartbeats.push(startHeartbeat(group.store, owner, log.child({ facts: owner })));
    }
  }
  for (const group of groups) {
    const consumed = [...new Set(group.services.flatMap((service) => CONSUMES[service]))];
    const remote = consumed.filter((owner) => ownerLocation(owner, group) !== group.location);
    const local = consumed.filter((owner) => !remote.includes(owner));
    // An owner that now shares this database reads its own tables: a copy registered by an
    // earlier configuration must not keep failing it closed.
    if (local.length > 0) await group.store.query(sql`DELETE FROM public.fact_copies WHERE owner = ANY(${local}::text[])`);
    if (remote.length === 0) continue;
    for (const owner of remote) {
      const location = ownerLocation(owner, group);
      const attempt = async (): Promise<void> => {
        if (stopped) return;
        try {
          if (!isUrl(location)) {
            // Registered, so its facts read as restrictive; nothing can carry them here.
            await group.store.query(sql`INSERT INTO public.fact_copies (owner, max_lag_ms, subscription)
              VALUES (${owner}, ${settings.factsMaxLagMs}, 'none') ON CONFLICT (owner) DO NOTHING`);
            log.error({ owner, services: group.services }, `${owner}'s facts live in another database that cannot be subscribed to: they read as the most restrictive value`);
            return;
          }
          const name = await ensureCopy(group.store, { owner, ownerUrl: location }, settings.factsMaxLagMs);
          log.info({ owner, subscription: name }, 'subscribed to policy facts');
        } catch (error) {
          log.warn({ owner, err: error }, `cannot subscribe to ${owner}'s policy facts yet: retrying (they read as the most restrictive value meanwhile)`);
          const timer = setTimeout(() => void attempt(), RETRY_MS);
          timer.unref();
          timers.push(timer);
        }
      };
      await attempt();
    }
    const monitor = startCopyMonitor(group.store, log.child({ factCopies: group.services.join(',') }));
    for (const service of group.services) monitors.set(service, monitor);
  }

  return {
    copies(service) {
      const owners = new Set<FactOwner>(CONSUMES[service]);
      return monitors.get(service)?.status().filter((status) => owners.has(status.owner)) ?? [];
    },
    stop() {
      stopped = true;
      for (const heartbeat of heartbeats) heartbeat.stop();
      for (const monitor of new Set(monitors.values())) monitor.stop();
      for (const timer of timers) clearTimeout(timer);
    },
  };
}
