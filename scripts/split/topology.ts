/**
 * The split deployment's shape (`npm run start:split`, test/split/): which databases, which
 * processes, which ports, and each process's environment. Plain data, decided before anything
 * starts, so that the script, the test and docs/operations.md describe one topology:
 *
 *   gateway-a ──▶ cbp-a ice-a partner-a ngo-a audit-a ─┐
 *   gateway-b ──▶ cbp-b ice-b partner-b ngo-b audit-b ─┤
 *                                                      ▼
 *   PostgreSQL: <prefix>_cbp  <prefix>_ice  <prefix>_partner  <prefix>_ngo  <prefix>_audit
 *   Redis: the gateways' shared rate-limit buckets
 *
 * Each gateway forwards to one replica set (A or B), so killing a replica shows at exactly one
 * gateway; both replicas of a subgraph use the same databases and the same audit chain.
 */
import { environment, readSettings, type Env } from '../../lib/config.js';
import { SUBGRAPHS, type SubgraphName } from '../../lib/domain.js';

export const REPLICA_SETS = ['a', 'b'] as const;
export type ReplicaSet = (typeof REPLICA_SETS)[number];

/** The four agencies with records of their own; the audit database is the fifth. */
export const AGENCY_SUBGRAPHS = ['cbp', 'ice', 'partner', 'ngo'] as const satisfies readonly SubgraphName[];
export type AgencySubgraph = (typeof AGENCY_SUBGRAPHS)[number];
export type SplitDatabase = AgencySubgraph | 'audit';
export const SPLIT_DATABASES: readonly SplitDatabase[] = [...AGENCY_SUBGRAPHS, 'audit'];

/** One process of the deployment: what it runs, where, and with which environment. */
export interface ProcessPlan {
  /** `gateway-a`, `ice-b`: unique within the deployment, used for its log file. */
  readonly name: string;
  readonly service: 'gateway' | SubgraphName;
  readonly replicaSet: ReplicaSet;
  readonly port: number;
  readonly url: string;
  /** Added to the parent's environment (which supplies PATH, DEV_ISSUER_DIR and the like). */
  readonly env: Readonly<Record<string, string>>;
}

export interface SplitTopology {
  /** Database name by agency (and `audit`), on the server of `serverUrl`. */
  readonly databases: Readonly<Record<SplitDatabase, string>>;
  /** Connection string of each database. */
  readonly databaseUrls: Readonly<Record<SplitDatabase, string>>;
  /** Subgraph replicas first (the gateways need them ready), then the gateways. */
  readonly subgraphs: readonly ProcessPlan[];
  readonly gateways: readonly ProcessPlan[];
  /**
   * Whether this code base reads `<AGENCY>_DATABASE_URL` (issue 13's facts). Until it does,
   * every service shares the CBP database for its records (today's one database wearing four
   * names) and only the audit database is apart.
   */
  readonly agencyDatabases: boolean;
  /** Whether subgraphs can trust the gateway by `GATEWAY_JWKS_URL` (else by a JWKS file). */
  readonly gatewayJwksUrl: boolean;
}

export interface TopologyOptions {
  /** Any database URL on the server to use; its database name is replaced. */
  readonly serverUrl: string;
  /** Database names are `<prefix>_<agency>`, `<prefix>_audit`. */
  readonly prefix: string;
  /** Ports: one per process, in the order of `processOrder()` (12 of them). */
  readonly ports: readonly number[];
  readonly redisUrl: string;
  readonly rateLimitPerSubject: number;
  /** Where the gateways' identity key pair lives (see identity.ts). */
  readonly gatewayKeyFile: string;
  readonly gatewayJwksFile: string;
  /** The trusted issuers file every process reads (production trusts no dev issuer otherwise). */
  readonly trustedIssuersFile: string;
  readonly logLevel: string;
}

/** The processes in port order: the A replicas, gateway A, the B replicas, gateway B. */
export const processOrder = (): readonly { readonly service: 'gateway' | SubgraphName; readonly replicaSet: ReplicaSet }[] =>
  REPLICA_SETS.flatMap((replicaSet) => [...SUBGRAPHS.map((service) => ({ service, replicaSet })), { service: 'gateway' as const, replicaSet }]);

/**
 * Whether `readSettings` takes a variable at all: a setting this code base does not know is
 * ignored, so the topology asks rather than assumes (it is written ahead of the branches that
 * add these settings, and must run before and after they land). `probe` is a well-formed value
 * for it; one refused as malformed with the variable's name is read too.
 */
export function readsSetting(name: string, probe: string): boolean {
  const env: Env = { ...environment(), [name]: probe };
  try {
    return JSON.stringify(readSettings(env)).includes(probe);
  } catch (error) {
    return error instanceof Error && error.message.includes(name);
  }
}

export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export function planTopology(options: TopologyOptions): SplitTopology {
  const order = processOrder();
  if (options.ports.length !== order.length) throw new Error(`the split deployment needs ${order.length} ports, got ${options.ports.length}`);
  const databases = Object.fromEntries(SPLIT_DATABASES.map((name) => [name, `${options.prefix}_${name}`])) as Record<SplitDatabase, string>;
  const databaseUrls = Object.fromEntries(SPLIT_DATABASES.map((name) => [name, databaseUrl(options.serverUrl, databases[name])])) as Record<SplitDatabase, string>;
  const agencyDatabases = readsSetting('CBP_DATABASE_URL', 'postgres://split-probe.invalid:5432/cbp');
  const gatewayJwksUrl = readsSetting('GATEWAY_JWKS_URL', 'http://split-probe.invalid:4000/.well-known/jwks.json');
  const portOf = new Map(order.map((entry, i) => [`${entry.service}-${entry.replicaSet}`, options.ports[i] ?? 0]));
  const urlOf = (service: string, replicaSet: ReplicaSet): string => `http://127.0.0.1:${portOf.get(`${service}-${replicaSet}`) ?? 0}`;

  const common: Record<string, string> = {
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    LOG_LEVEL: options.logLevel,
    TRUSTED_ISSUERS_FILE: options.trustedIssuersFile,
    REQUIRE_GATEWAY_IDENTITY: 'on',
    // The default of every <AGENCY>_DATABASE_URL: a build that does not read those yet keeps
    // every agency's records here (one database wearing four names), the audit log apart.
    DATABASE_URL: databaseUrls.cbp,
    AUDIT_DATABASE_URL: databaseUrls.audit,
    CBP_DATABASE_URL: databaseUrls.cbp,
    ICE_DATABASE_URL: databaseUrls.ice,
    PARTNER_DATABASE_URL: databaseUrls.partner,
    NGO_DATABASE_URL: databaseUrls.ngo,
    // Seeded once by the script before any service starts; a service never seeds.
    SEED_SCALE: 'off',
  };
  const plan = (service: 'gateway' | SubgraphName, replicaSet: ReplicaSet, env: Record<string, string>): ProcessPlan => {
    const port = portOf.get(`${service}-${replicaSet}`) ?? 0;
    return {
      name: `${service}-${replicaSet}`,
      service,
      replicaSet,
      port,
      url: `${urlOf(service, replicaSet)}/graphql`,
      env: { ...common, [`${service.toUpperCase()}_PORT`]: String(port), ...env },
    };
  };
  // Subgraphs trust the gateway's identity by the JWKS their gateway publishes when this build
  // can (nothing shared but published keys), else by the public JWKS file. Both gateways sign
  // with one key set, so either gateway's endpoint would do; each set trusts its own.
  const trustGateway = (replicaSet: ReplicaSet): Record<string, string> =>
    gatewayJwksUrl ? { GATEWAY_JWKS_URL: `${urlOf('gateway', replicaSet)}/.well-known/jwks.json` } : { GATEWAY_IDENTITY_JWKS_FILE: options.gatewayJwksFile };
  const subgraphs = REPLICA_SETS.flatMap((replicaSet) => SUBGRAPHS.map((service) => plan(service, replicaSet, trustGateway(replicaSet))));
  const gateways = REPLICA_SETS.map((replicaSet) =>
    plan('gateway', replicaSet, {
      GATEWAY_IDENTITY_KEY_FILE: options.gatewayKeyFile,
      REDIS_URL: options.redisUrl,
      RATE_LIMIT_PER_SUBJECT: String(options.rateLimitPerSubject),
      ...Object.fromEntries(SUBGRAPHS.map((name) => [`${name.toUpperCase()}_URL`, `${urlOf(name, replicaSet)}/graphql`])),
    }),
  );
  return { databases, databaseUrls, subgraphs, gateways, agencyDatabases, gatewayJwksUrl };
}
