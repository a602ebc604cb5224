import { raw, type Sql } from '../store/sql.js';
import type { FactOwner } from './owners.js';

/**
 * True (as SQL) while this database may trust `owner`'s facts. A database that holds a COPY of
 * an owner's facts (logical replication from the owner's database) has a row for that owner in
 * `public.fact_copies`; the copy is trusted only while the owner's heartbeat, replicated with
 * the facts, is younger than the row's lag bound (FACTS_MAX_LAG_MS). A database without such a
 * row reads the owner's own published tables (one database for both), where lag is 0.
 *
 * Every policy expression over another agency's facts ANDs this in, so a stale copy reads as the
 * restrictive value (protected, not linked, not notified) inside the same SQL that filters lists.
 * The condition is uncorrelated: PostgreSQL evaluates it once per statement (an InitPlan), so a
 * page of 500 rows pays for it once. It is read at each statement rather than from a flag held
 * in memory, so that a consumer whose monitor stalls cannot keep trusting a stale copy.
 */
export const factsFresh = (owner: FactOwner): Sql =>
  // `owner` is one of FACT_OWNERS (a closed union), never input: safe as an identifier.
  raw(`NOT EXISTS (SELECT 1 FROM public.fact_copies fc WHERE fc.owner = '${owner}'
    AND (NOT EXISTS (SELECT 1 FROM ${owner}_facts.heartbeat h
           WHERE h.beat_at > now() - fc.max_lag_ms * interval '1 millisecond')
         OR ${COPY_SYNCING}))`);

/**
 * A copy whose initial copy of some table is unfinished (pg_subscription_rel not yet `r`eady):
 * the heartbeat table may arrive before the others, so a fresh heartbeat alone does not show
 * the copy holds the owner's facts.
 */
const COPY_SYNCING = `EXISTS (SELECT 1 FROM pg_catalog.pg_subscription_rel sr
  JOIN pg_catalog.pg_subscription s ON s.oid = sr.srsubid
  WHERE s.subname = fc.subscription AND sr.srsubstate <> 'r')`;

/** The table `factsFresh` reads; created in every database by the migration runner. */
export const FACT_COPIES_DDL = `CREATE TABLE IF NOT EXISTS public.fact_copies (
  owner        text PRIMARY KEY,
  max_lag_ms   integer NOT NULL,
  subscription text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now())`;
