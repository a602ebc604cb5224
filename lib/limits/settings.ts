import { DEFAULT_PAGE_SIZE } from '../connection.js';

/**
 * The gateway's operation limits (SPEC section 8). Each one bounds a different way a single
 * request can make the federation do far more work than its size suggests; together they must
 * let every legitimate query through and refuse the abusive ones with `OPERATION_LIMIT`.
 */
export interface OperationLimits {
  /** Field levels below the root, each field counting one (a connection costs two: `edges`, `node`). */
  readonly maxDepth: number;
  /** Aliased fields per operation, fragments included: aliases let one field run many times. */
  readonly maxAliases: number;
  /** Directives on any one field (or fragment, or operation). */
  readonly maxDirectivesPerField: number;
  /** Lexical tokens per document: bounds the parse and validation work before anything else runs. */
  readonly maxTokens: number;
  /** Page size the cost estimate assumes when a connection's `first` is omitted. */
  readonly defaultPageSize: number;
  /** Largest `first`/`last` a client may ask for. */
  readonly maxPageSize: number;
  /** Fan-out the cost estimate assumes for a plain list field (`routes`, `members`, `hazards`). */
  readonly listFanOut: number;
  /** Operations in one batched HTTP request. */
  readonly maxBatch: number;
  /** Request body size; the HTTP layer answers 413 above it. */
  readonly maxBodyBytes: number;
  /** Estimated cost per operation (see `estimateCost`). */
  readonly maxCost: number;
  /**
   * Records one subgraph request may pass through the access funnel (released or withheld),
   * whatever the estimate said: the cost is a guess from typical list sizes, this is the count.
   */
  readonly maxRecords: number;
}

export const DEFAULT_OPERATION_LIMITS: OperationLimits = {
  maxDepth: 12,
  maxAliases: 30,
  maxDirectivesPerField: 5,
  // The largest legitimate query we know of (a full network page with routes, hazards and
  // members, every field named) is a few hundred tokens; 5,000 leaves ten times that.
  maxTokens: 5_000,
  // Shared with the subgraphs' pagination so that the gateway's estimate matches what they fetch.
  defaultPageSize: DEFAULT_PAGE_SIZE,
  // The one page limit: the gateway admits it, and every subgraph connection and the access
  // log read their pages with it (RequestContext.maxPageSize), all refusing with OPERATION_LIMIT.
  maxPageSize: 500,
  listFanOut: 10,
  maxBatch: 10,
  maxBodyBytes: 1_048_576,
  // Budget: a 500-record page at about 500 cost units per record. That is each record with its
  // fields and a few nested lists of ~10 entities (the SPEC's example page of 500 networks with
  // `routes { id hazards { kind } }` and `members { role person { id name } }` costs 82,502;
  // 500 transfers with their person, encounters and bookings cost 14,002). Two nested pages of
  // 500 cost at least 500 x 500 x 2 (edge + node) = 500,000 and are refused, as is a
  // route-network-route cycle under one page (about 55 million).
  maxCost: 250_000,
  // A page of 500 records with ten related records each, twice over. The largest admitted
  // queries we know of decide a few thousand records per subgraph request (a page of 500
  // transfers with each person's transfers: about 1,500 at ICE); 10,000 is about 7 s of work for
  // the embedded store on a loaded machine, inside the gateway's 10 s wait for a subgraph.
  maxRecords: 10_000,
};

/**
 * The figures a subgraph applies: the gateway's (SPEC 8: a subgraph reached directly is no
 * softer), set by the same `LIMIT_*` variables, with headroom only where a Federation router's
 * fetch for an operation the gateway admitted is bigger than that operation:
 *
 * - tokens: a plan adds `__typename` and key fields at every entity boundary, `... on Type`
 *   around each entity selection, the `_entities(representations: $representations)` wrapper,
 *   and (Hive Gateway, merging fetches) an alias and renamed variables per root field, so a
 *   fetch can hold more tokens than the operation it serves; twice the limit covers that.
 *
 * Depth needs none (an entity fetch's `_entities` stands for at least the one level above the
 * entity), and the cost of an entity fetch is counted from its number of representations (see
 * cost.ts), which for an admitted operation is what the gateway's estimate assumed. Aliases:
 * see `RootAliases` in aliases.ts.
 */
export function subgraphOperationLimits(limits: OperationLimits): OperationLimits {
  return { ...limits, maxTokens: limits.maxTokens * 2 };
}

/** Environment variables that override a limit (all optional). */
const ENV_OVERRIDES = {
  LIMIT_MAX_DEPTH: 'maxDepth',
  LIMIT_MAX_ALIASES: 'maxAliases',
  LIMIT_MAX_DIRECTIVES: 'maxDirectivesPerField',
  LIMIT_MAX_TOKENS: 'maxTokens',
  LIMIT_MAX_PAGE_SIZE: 'maxPageSize',
  LIMIT_MAX_BATCH: 'maxBatch',
  LIMIT_MAX_BODY_BYTES: 'maxBodyBytes',
  LIMIT_MAX_COST: 'maxCost',
  LIMIT_MAX_RECORDS: 'maxRecords',
} as const satisfies Readonly<Record<string, keyof OperationLimits>>;

/**
 * The limits with the operator's overrides applied (read once, into `Settings.operationLimits`,
 * by every service). A present but malformed value stops the service at start-up, naming the
 * variable: a typo must not silently leave a limit at its default (or turn it off).
 */
export function operationLimitsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  defaults: OperationLimits = DEFAULT_OPERATION_LIMITS,
): OperationLimits {
  const limits: Record<keyof OperationLimits, number> = { ...defaults };
  for (const [variable, key] of Object.entries(ENV_OVERRIDES)) {
    const raw = env[variable];
    if (raw === undefined || raw.trim() === '') continue;
    limits[key] = positiveInteger(variable, raw);
  }
  return limits;
}

function positiveInteger(variable: string, raw: string): number {
  // Digits only: `Number()` would also take "1e3", "0x10" or " 12 ", which an operator did not mean.
  const value = /^\s*[0-9]+\s*$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new Error(`${variable} must be a whole number of at least 1, got "${raw}"`);
  }
  return value;
}
