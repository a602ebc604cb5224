import type { Logger } from 'pino';
import { raw, sql } from '../store/sql.js';
import type { Store } from '../store/store.js';
import { factsSchema, isFactOwner, type FactOwner } from './owners.js';

/**
 * Watches the copies of other agencies' facts held in one database: each copy's lag (now minus
 * its owner's replicated heartbeat), whether it is within FACTS_MAX_LAG_MS, and how many
 * malformed facts it holds. It decides nothing: the policy SQL reads the heartbeat itself
 * (fresh.ts). It is what the logs (a warning once per transition), `/metrics`
 * (`tributary_fact_copy_lag_seconds`) and `/ready` (`factCopies`) say about the copies.
 */

export interface CopyStatus {
  readonly owner: FactOwner;
  /** Seconds since the owner's last heartbeat reached this copy; null before the first. */
  readonly lagSeconds: number | null;
  readonly fresh: boolean;
  /** Facts the SQL reads as the restrictive value because a key or flag is missing. */
  readonly malformed: number;
}

export const MONITOR_INTERVAL_MS = 200;
/** Counting malformed facts scans the copies: every 25 polls (5 s), not every one. */
const MALFORMED_EVERY = 25;

/** Rows each owner's facts must not hold: anything here reads as restrictive (never opens). */
const MALFORMED: Readonly<Record<FactOwner, string>> = {
  ice: `(SELECT count(*) FROM ice_facts.persons WHERE protected1367 IS NULL OR owner_org IS NULL)
      + (SELECT count(*) FROM ice_facts.transfer_links WHERE person_id IS NULL OR from_org IS NULL OR to_org IS NULL)
      + (SELECT count(*) FROM ice_facts.networks WHERE owner_org IS NULL)`,
  partner: `(SELECT count(*) FROM partner_facts.custody_links WHERE person_id IS NULL OR owner_org IS NULL)`,
  cbp: `(SELECT count(*) FROM cbp_facts.custody_links WHERE person_id IS NULL OR owner_org IS NULL)`,
  ngo: `(SELECT count(*) FROM ngo_facts.referral_links WHERE person_id IS NULL OR from_org IS NULL OR to_org IS NULL)
      + (SELECT count(*) FROM ngo_facts.transfer_notification WHERE notify IS NULL OR person_id IS NULL OR ngo_org IS NULL)`,
};

export interface CopyMonitor {
  status(): readonly CopyStatus[];
  stop(): void;
}

export function startCopyMonitor(store: Store, log: Logger): CopyMonitor {
  const statuses = new Map<FactOwner, CopyStatus>();
  let polls = 0;
  let running = false;
  let failing = false;
  const poll = async (): Promise<void> => {
    if (running) return;
    running = true;
    try {
      const copies = await store.query(sql`SELECT fc.owner, fc.max_lag_ms,
          (SELECT count(*) FROM pg_catalog.pg_subscription_rel sr JOIN pg_catalog.pg_subscription s ON s.oid = sr.srsubid
           WHERE s.subname = fc.subscription AND sr.srsubstate <> 'r') AS syncing
        FROM public.fact_copies fc ORDER BY fc.owner`);
      const countMalformed = polls % MALFORMED_EVERY === 0;
      polls += 1;
      for (const copy of copies) {
        const owner = copy['owner'];
        if (typeof owner !== 'string' || !isFactOwner(owner)) continue;
        const maxLagSeconds = Number(copy['max_lag_ms']) / 1000;
        // `owner` is checked against FACT_OWNERS: safe as an identifier.
        const [row] = await store.query(
          raw(`SELECT extract(epoch FROM now() - max(h.beat_at))::float8 AS lag,
                 ${countMalformed ? MALFORMED[owner] : 'NULL'} AS malformed
               FROM ${factsSchema(owner)}.heartbeat h`),
        );
        const lag = row?.['lag'];
        const lagSeconds = typeof lag === 'number' ? Math.max(0, lag) : null;
        const previous = statuses.get(owner);
        const malformed = countMalformed ? Number(row?.['malformed'] ?? 0) : (previous?.malformed ?? 0);
        // As fresh.ts judges it: a recent heartbeat, and every table's initial copy done.
        const fresh = lagSeconds !== null && lagSeconds < maxLagSeconds && Number(copy['syncing']) === 0;
        if (previous === undefined ? !fresh : previous.fresh !== fresh) {
          if (fresh) log.info({ owner, lagSeconds }, 'policy facts copy is fresh again: its facts apply');
          else log.warn({ owner, lagSeconds, maxLagSeconds }, 'policy facts copy is stale: applying the most restrictive value for its facts');
        }
        if (malformed > 0 && malformed !== previous?.malformed) {
          log.warn({ owner, malformed }, 'malformed policy facts in a copy: read as the most restrictive value');
        }
        statuses.set(owner, { owner, lagSeconds, fresh, malformed });
      }
      if (failing) log.info('policy facts monitor reads its store again');
      failing = false;
    } catch (error) {
      if (!failing) log.warn({ err: error }, 'policy facts monitor cannot read its store');
      failing = true;
      // Unknown is not fresh: say so rather than repeat the last good answer.
      for (const [owner, status] of statuses) statuses.set(owner, { ...status, fresh: false });
    } finally {
      running = false;
    }
  };
  void poll();
  const timer = setInterval(() => void poll(), MONITOR_INTERVAL_MS);
  timer.unref();
  return {
    status: () => [...statuses.values()],
    stop: () => clearInterval(timer),
  };
}
