import type { SubgraphName } from '../domain.js';

/**
 * Who publishes which policy facts and who consumes them (SPEC 5, "Cross-agency policy facts";
 * docs/architecture.md has the table). The facts themselves are defined once per owner in
 * `subgraphs/<owner>/facts.sql`, applied by the owner and by every consumer that keeps a copy.
 */

export const FACT_OWNERS = ['ice', 'partner', 'cbp', 'ngo'] as const;
export type FactOwner = (typeof FACT_OWNERS)[number];

/** The schema an owner publishes in: consumers may read `<owner>_facts.*` and nothing else of it. */
export const factsSchema = (owner: FactOwner): string => `${owner}_facts`;

/** The published tables of each owner (the publication's table list), heartbeat included. */
export const FACT_TABLES: Readonly<Record<FactOwner, readonly string[]>> = {
  ice: ['persons', 'networks', 'transfer_links', 'heartbeat'],
  partner: ['custody_links', 'heartbeat'],
  cbp: ['custody_links', 'heartbeat'],
  ngo: ['referral_links', 'transfer_notification', 'heartbeat'],
};

/**
 * The owners whose facts each service's policies read. Every agency reads every other's
 * custody links (a write naming a person checks the Person policy, rules 2-4, as ICE would);
 * the audit service reads only who is protected under 1367 (its anomaly check).
 */
export const CONSUMES: Readonly<Record<SubgraphName, readonly FactOwner[]>> = {
  ice: ['partner', 'cbp', 'ngo'],
  cbp: ['ice', 'partner', 'ngo'],
  partner: ['ice', 'cbp', 'ngo'],
  ngo: ['ice', 'partner', 'cbp'],
  audit: ['ice'],
};

export const isFactOwner = (service: string): service is FactOwner => (FACT_OWNERS as readonly string[]).includes(service);
