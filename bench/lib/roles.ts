/**
 * The processes a run starts. Three subgraph sets over the same database: `bare` (allow-all
 * policy, no-op audit writer) serves the bare Apollo gateway and Hive Gateway, `tributary`
 * (as shipped) serves Tributary's gateway, `plain` (bench/plain: a minimal federation of its
 * own) serves a second bare Apollo gateway.
 */
export const SERVER_ROLES = [
  'subgraphs-bare',
  'subgraphs-tributary',
  'subgraphs-plain',
  'gateway-apollo',
  'gateway-plain',
  'gateway-tributary',
  'gateway-hive',
  'gateway-hive-rust',
] as const;
export type ServerRole = (typeof SERVER_ROLES)[number];
export type SubgraphSetRole = Extract<ServerRole, `subgraphs-${string}`>;
export const isSubgraphSet = (role: ServerRole): role is SubgraphSetRole => role.startsWith('subgraphs-');

export interface StartParams {
  readonly role: ServerRole;
  readonly databaseUrl: string;
  /** For gateways: where the subgraphs of their set listen. */
  readonly subgraphUrls: Readonly<Record<string, string>>;
}

export interface ServerStats {
  /** SQL statements the process's stores have sent so far (null: it has no store). */
  readonly roundTrips: number | null;
}

export interface ServerMethods {
  start: { params: StartParams; result: { readonly url: string; readonly urls: Readonly<Record<string, string>>; readonly note: string } };
  stats: { params: null; result: ServerStats };
  profileStart: { params: null; result: null };
  /** Stops the CPU profile and writes it (Chrome DevTools format) to `file`. */
  profileStop: { params: { readonly file: string }; result: null };
}
