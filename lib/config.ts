import { isSubgraphName, type ServiceName, type SubgraphName } from './domain.js';

/** The subgraphs that hold an agency's records (the audit service has AUDIT_DATABASE_URL). */
export type AgencyService = Exclude<SubgraphName, 'audit'>;
import { operationLimitsFromEnv, type OperationLimits } from './limits/settings.js';

/**
 * Operator settings (SPEC section 8), read once from the environment at start-up. Every
 * variable is optional; a present but malformed one stops the service with its name.
 */
export interface Settings {
  readonly production: boolean;
  readonly databaseUrl: string | undefined;
  /** Audit entries may live in another database than the records; defaults to the same one. */
  readonly auditDatabaseUrl: string | undefined;
  /**
   * Each agency's own database (`<AGENCY>_DATABASE_URL`, default DATABASE_URL): an agency's
   * subgraph migrates and reads only its own schema there, plus copies of the policy facts
   * other agencies publish (lib/facts).
   */
  readonly agencyDatabaseUrls: Readonly<Record<AgencyService, string | undefined>>;
  /** A copy of another agency's facts older than this (its owner's heartbeat) reads as the restrictive value. */
  readonly factsMaxLagMs: number;
  /** Where `npm start` keeps the embedded store; unset in tests (in memory). */
  readonly dataDir: string | undefined;
  readonly trustedIssuersFile: string | undefined;
  readonly tokenAudience: string;
  /** Tokens whose `exp` lies further than this past `iat` (or past now) are refused (SPEC 8). */
  readonly tokenMaxLifetimeSeconds: number;
  readonly redisUrl: string | undefined;
  readonly rateLimitPerSubject: number;
  readonly rateLimitPerOrg: number;
  readonly requireGatewayIdentity: boolean;
  readonly host: string;
  readonly ports: Readonly<Record<ServiceName, number>>;
  /** Where the gateway reaches each subgraph (compose overrides these with service names). */
  readonly subgraphUrls: Readonly<Record<SubgraphName, string>>;
  readonly logLevel: string;
  /** Upstream (subgraph) call timeout at the gateway. */
  readonly subgraphTimeoutMs: number;
  /** Admission control at the gateway (gateway/admission.ts): in flight, queued, longest wait. */
  readonly admission: AdmissionSettings;
  /** SPEC 8's operation limits (`LIMIT_*`): the gateway's, and the subgraphs' derived from them. */
  readonly operationLimits: OperationLimits;
  /** The gateway's persisted operations (gateway/persisted-operations/): none, a manifest, or only a manifest. */
  readonly persistedOperations: PersistedOperationsSettings;
  /**
   * OpenTelemetry's standard OTEL_EXPORTER_OTLP_ENDPOINT: the collector's base URL; traces are
   * posted (OTLP/HTTP) to `<it>/v1/traces`. Unset: no tracer provider exists, nothing is traced.
   */
  readonly otlpEndpoint: string | undefined;
  /** `SEED_SCALE` as given (`small`, `medium`, `large`, `off`); parsed where seeding lives (seed/). */
  readonly seedScale: string | undefined;
  /** `AUDIT_RETENTION_DAYS`: purge audit entries older than this; unset keeps them forever. */
  readonly auditRetentionDays: number | undefined;
  /** `AUDIT_SIGNING_KEY_FILE`: the audit service's key set (or a lone private JWK); unset: generated under `.dev-issuer/audit-key/`. */
  readonly auditSigningKeyFile: string | undefined;
  /** `DEV_ISSUER_DIR`: where the development issuer's keys live; unset: `<repo>/.dev-issuer/`. */
  readonly devIssuerDir: string | undefined;
  /** `GATEWAY_IDENTITY_KEY_FILE`: the gateway's key set (or a lone private JWK) for its service identity. */
  readonly gatewayIdentityKeyFile: string | undefined;
  /** `GATEWAY_IDENTITY_JWKS_FILE`: the public JWKS a subgraph checks the gateway's identity with. */
  readonly gatewayIdentityJwksFile: string | undefined;
  /** `GATEWAY_JWKS_URL`: the gateway's `/.well-known/jwks.json`, which a subgraph trusts before any file. */
  readonly gatewayJwksUrl: string | undefined;
  /** `AUDIT_JWKS_URL`: the audit service's `/.well-known/jwks.json`, which checkpoint verification trusts. */
  readonly auditJwksUrl: string | undefined;
}

/**
 * `PERSISTED_OPERATIONS_FILE` and `PERSISTED_OPERATIONS_ONLY` (SPEC 8). `listed`: clients may
 * send a manifest operation's hash instead of its text, and free-form operations still run;
 * `only`: nothing but the manifest's operations runs (OPERATION_NOT_ALLOWED otherwise).
 */
export type PersistedOperationsSettings =
  | { readonly mode: 'none' }
  | { readonly mode: 'listed'; readonly file: string }
  | { readonly mode: 'only'; readonly file: string };

/**
 * How much one gateway process takes on at once. Load-bearing: beyond `maxInFlight` requests a
 * gateway only gets slower for everyone (the bench saturates two cores at 8 connections), so
 * the rest wait in a short queue, and beyond that are refused at once with 503 and
 * `retry-after` rather than left to time out.
 */
export interface AdmissionSettings {
  /** GraphQL requests executing at once; `0` turns admission control off. */
  readonly maxInFlight: number;
  /** Requests waiting for a place; beyond it a request is refused at once. */
  readonly maxQueue: number;
  /** How long a request waits in the queue before it is refused. */
  readonly maxQueueWaitMs: number;
}

/**
 * 32 in flight: twice the bench's heaviest load (16 connections) and four times the
 * concurrency at which it saturates two cores (8), so neither it, the soak test (8) nor an
 * analyst's UI ever waits; at 100-record pages (~30 per second per gateway on two cores) 32 in
 * flight already costs about a second each. 64 queued at most 2 s: about what drains within
 * the wait at that rate; a request that would wait longer is better told to retry.
 */
export const DEFAULT_ADMISSION: AdmissionSettings = { maxInFlight: 32, maxQueue: 64, maxQueueWaitMs: 2_000 };


export const DEFAULT_PORTS: Readonly<Record<ServiceName, number>> = {
  gateway: 4000,
  cbp: 4001,
  ice: 4002,
  partner: 4003,
  ngo: 4004,
  audit: 4005,
};

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * The process environment, read here and nowhere else. Services read it once, into `Settings`
 * (`readSettings`), and pass that down. A few library defaults still consult it when called
 * (the development issuer's directory and the key files, which `npm run token`, the scripts and
 * the tests set while a process runs); they do so through this function, so that every variable
 * the code reads is named in this file and documented in the README's table.
 */
export const environment = (): Env => process.env;

function integer(env: Env, name: string, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer >= ${min}, got "${raw}"`);
  return value;
}

function flag(env: Env, name: string): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '' || raw === '0' || raw === 'false' || raw === 'off') return false;
  if (raw === '1' || raw === 'true' || raw === 'on') return true;
  throw new Error(`${name} must be on/off (1/0, true/false), got "${raw}"`);
}

const optional = (env: Env, name: string): string | undefined => {
  const raw = env[name];
  return raw === undefined || raw === '' ? undefined : raw;
};

/** An http(s) URL, checked at start-up: a typo must stop the service, not fail every request later. */
function httpUrl(env: Env, name: string): string | undefined {
  const raw = optional(env, name)?.trim();
  if (raw === undefined || raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`${name} must be an http(s) URL, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`${name} must be an http(s) URL, got "${raw}"`);
  return url.href;
}

function persistedOperations(env: Env): PersistedOperationsSettings {
  const file = optional(env, 'PERSISTED_OPERATIONS_FILE');
  const only = flag(env, 'PERSISTED_OPERATIONS_ONLY');
  // Fail closed: an operator who asked for an allowlist and gave none must not get an open gateway.
  if (only && file === undefined) throw new Error('PERSISTED_OPERATIONS_ONLY is on but PERSISTED_OPERATIONS_FILE is not set: name the manifest of the operations to allow');
  if (file === undefined) return { mode: 'none' };
  return { mode: only ? 'only' : 'listed', file };
}

export function readSettings(env: Env = environment()): Settings {
  const host = optional(env, 'HOST') ?? '127.0.0.1';
  const ports = Object.fromEntries(
    Object.entries(DEFAULT_PORTS).map(([service, port]) => [service, integer(env, `${service.toUpperCase()}_PORT`, port, 0)]),
  ) as Record<ServiceName, number>;
  const subgraphUrls = Object.fromEntries(
    Object.entries(ports)
      .filter((entry): entry is [SubgraphName, number] => isSubgraphName(entry[0]))
      .map(([name, port]) => [name, optional(env, `${name.toUpperCase()}_URL`) ?? `http://127.0.0.1:${port}/graphql`]),
  ) as Record<SubgraphName, string>;
  const databaseUrl = optional(env, 'DATABASE_URL');
  return {
    production: env.NODE_ENV === 'production',
    databaseUrl,
    auditDatabaseUrl: optional(env, 'AUDIT_DATABASE_URL') ?? databaseUrl,
    agencyDatabaseUrls: {
      cbp: optional(env, 'CBP_DATABASE_URL') ?? databaseUrl,
      ice: optional(env, 'ICE_DATABASE_URL') ?? databaseUrl,
      partner: optional(env, 'PARTNER_DATABASE_URL') ?? databaseUrl,
      ngo: optional(env, 'NGO_DATABASE_URL') ?? databaseUrl,
    },
    factsMaxLagMs: integer(env, 'FACTS_MAX_LAG_MS', 5_000, 1),
    dataDir: optional(env, 'DATA_DIR'),
    trustedIssuersFile: optional(env, 'TRUSTED_ISSUERS_FILE'),
    tokenAudience: optional(env, 'TOKEN_AUDIENCE') ?? 'tributary',
    tokenMaxLifetimeSeconds: integer(env, 'TOKEN_MAX_LIFETIME_SECONDS', 86_400, 1),
    redisUrl: optional(env, 'REDIS_URL'),
    rateLimitPerSubject: integer(env, 'RATE_LIMIT_PER_SUBJECT', 600),
    rateLimitPerOrg: integer(env, 'RATE_LIMIT_PER_ORG', 6_000),
    requireGatewayIdentity: flag(env, 'REQUIRE_GATEWAY_IDENTITY'),
    host,
    ports,
    subgraphUrls,
    logLevel: optional(env, 'LOG_LEVEL') ?? 'info',
    subgraphTimeoutMs: integer(env, 'SUBGRAPH_TIMEOUT_MS', 10_000, 1),
    admission: {
      maxInFlight: integer(env, 'GATEWAY_MAX_IN_FLIGHT', DEFAULT_ADMISSION.maxInFlight),
      maxQueue: integer(env, 'GATEWAY_MAX_QUEUE', DEFAULT_ADMISSION.maxQueue),
      maxQueueWaitMs: integer(env, 'GATEWAY_MAX_QUEUE_WAIT_MS', DEFAULT_ADMISSION.maxQueueWaitMs),
    },
    operationLimits: operationLimitsFromEnv(env),
    persistedOperations: persistedOperations(env),
    otlpEndpoint: optional(env, 'OTEL_EXPORTER_OTLP_ENDPOINT'),
    seedScale: optional(env, 'SEED_SCALE'),
    auditRetentionDays: optional(env, 'AUDIT_RETENTION_DAYS') === undefined ? undefined : integer(env, 'AUDIT_RETENTION_DAYS', 0, 1),
    auditSigningKeyFile: optional(env, 'AUDIT_SIGNING_KEY_FILE'),
    devIssuerDir: optional(env, 'DEV_ISSUER_DIR'),
    gatewayIdentityKeyFile: optional(env, 'GATEWAY_IDENTITY_KEY_FILE'),
    gatewayIdentityJwksFile: optional(env, 'GATEWAY_IDENTITY_JWKS_FILE'),
    gatewayJwksUrl: httpUrl(env, 'GATEWAY_JWKS_URL'),
    auditJwksUrl: httpUrl(env, 'AUDIT_JWKS_URL'),
  };
}
