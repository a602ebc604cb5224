import type { Logger } from 'pino';
import { createAuditWriter, type AuditWriter } from '../audit/index.js';
import type { Settings } from '../config.js';
import { SUBGRAPHS, type ServiceName, type SubgraphName } from '../domain.js';
import { createTokenVerifier, loadTrustedIssuers, type TokenVerifier } from '../identity/index.js';
import { createLogger } from '../log.js';
import { migrate, openStore, type Store } from '../store/index.js';
import { openServiceStores, serviceLocation, type StoreGroup } from './stores.js';
import { startFactTransport } from '../facts/transport.js';
import type { CopyStatus } from '../facts/monitor.js';
import { ServiceTelemetry } from '../telemetry/index.js';
import type { PolicyEngine } from '../access/decision.js';

/**
 * What a process shares between the services it runs: a store per distinct database of its
 * services (each agency's own, lib/server/stores.ts), one audit store, the policy engine, the
 * token verifier. `npm start` runs every service over one runtime; `npm run start:<name>`
 * builds one for a single service.
 */
export interface Runtime {
  readonly settings: Settings;
  /** ICE's store when this process runs ICE, else its first: THE store when all share one database. */
  readonly store: Store;
  /** Where the services' audit writers append (with the append-only role, when so configured). */
  readonly auditStore: Store;
  /**
   * The audit database as its owner (AUDIT_ADMIN_DATABASE_URL, else the same as auditStore):
   * the audit service reads, indexes, checkpoints and purges through it; it is what migrates.
   */
  readonly auditOwnerStore: Store;
  /** A service's own store: its records, and copies of the facts other agencies publish. */
  storeFor(service: SubgraphName): Store;
  /** Each distinct store with the services it holds. */
  readonly storeGroups: readonly StoreGroup[];
  /** The copies of other agencies' policy facts a service reads, with their lag (none in a shared database). */
  factCopies(service: SubgraphName): readonly CopyStatus[];
  readonly policy: PolicyEngine;
  readonly verifyToken: TokenVerifier;
  readonly log: Logger;
  readonly clock: () => Date;
  /** One audit writer (one hash chain) per service of this process. */
  auditWriter(service: ServiceName): AuditWriter;
  /** One set of metrics (and tracer, when configured) per service of this process. */
  telemetry(service: ServiceName): ServiceTelemetry;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  /** Use this store instead of opening one from the settings (tests). */
  readonly store?: Store;
  readonly auditStore?: Store;
  /** The subgraphs this process runs (default all): only their databases are opened. */
  readonly subgraphs?: readonly SubgraphName[];
  readonly clock?: () => Date;
  readonly log?: Logger;
  /**
   * The policy engine every service asks. lib/ knows only its interface (lib/access/decision.ts):
   * whoever assembles the process names the engine (scripts/federation.ts: the default rule
   * set of policies/), so the layers read one way. Tests and the benchmark pass their own
   * (faults, enforcement switched off).
   */
  readonly policy: PolicyEngine;
  /**
   * Replace the audit writers. Only code can pass this (no setting reaches it): tests inject
   * faults, and the benchmark measures bare federation with audit switched off.
   */
  readonly auditWriterFor?: (service: ServiceName) => AuditWriter;
}

export async function createRuntime(settings: Settings, options: RuntimeOptions): Promise<Runtime> {
  const log = options.log ?? createLogger('tributary', settings.logLevel);
  // Every service appends to the audit log, so the audit store is opened whatever runs here.
  const wanted = options.subgraphs ?? SUBGRAPHS;
  const services = wanted.includes('audit') ? wanted : [...wanted, 'audit' as const];
  const stores = await openServiceStores(settings, {
    services,
    ...(options.store === undefined ? {} : { store: options.store }),
    ...(options.auditStore === undefined ? {} : { auditStore: options.auditStore }),
  });
  const auditStore = stores.storeFor('audit');
  // Injected stores (tests) may be wrappers of one database (a faulty audit store over the
  // records' one): nothing tells them apart, so an owner counts as local to each of them. A
  // copy registered in a database the owner shares would fail its facts closed for good.
  const facts = await startFactTransport(
    settings,
    stores.groups,
    (owner, group) => (group.location.startsWith('injected:') ? group.location : serviceLocation(settings, owner)),
    log,
  );
  const store = services.includes('ice') ? stores.storeFor('ice') : (stores.groups[0]?.store ?? auditStore);
  // The audit database as its owner (AUDIT_ADMIN_DATABASE_URL): what the audit service reads,
  // indexes, checkpoints and purges with, and what migrates the audit schema. Services given
  // only the append-only role (AUDIT_DATABASE_URL) cannot migrate it (openServiceStores skips a
  // store without CREATE) and rely on the audit service having migrated first.
  const sharedOwner = options.auditStore !== undefined || settings.auditAdminDatabaseUrl === settings.auditDatabaseUrl;
  const ownerGroup = sharedOwner ? undefined : stores.groups.find((group) => group.location === settings.auditAdminDatabaseUrl);
  const ownOwner = !sharedOwner && ownerGroup === undefined;
  const auditOwnerStore = sharedOwner ? auditStore : (ownerGroup?.store ?? (await openStore({ databaseUrl: settings.auditAdminDatabaseUrl })));
  if (ownOwner) await migrate(auditOwnerStore, ['audit']);
  const issuers = await loadTrustedIssuers({
    file: settings.trustedIssuersFile,
    production: settings.production,
    ...(settings.devIssuerDir === undefined ? {} : { devIssuerDir: settings.devIssuerDir }),
  });
  if (issuers.size === 0) log.warn('no trusted token issuers: every request will be refused (set TRUSTED_ISSUERS_FILE)');
  const writers = new Map<ServiceName, AuditWriter>();
  const telemetries = new Map<ServiceName, ServiceTelemetry>();
  const telemetry = (service: ServiceName): ServiceTelemetry => {
    let found = telemetries.get(service);
    if (!found) {
      found = new ServiceTelemetry(service, settings.otlpEndpoint);
      telemetries.set(service, found);
    }
    return found;
  };
  return {
    settings,
    store,
    auditStore,
    auditOwnerStore,
    storeFor: (service) => stores.storeFor(service),
    storeGroups: stores.groups,
    factCopies: (service) => facts.copies(service),
    policy: options.policy,
    verifyToken: createTokenVerifier({ audience: settings.tokenAudience, issuers, maxLifetimeSeconds: settings.tokenMaxLifetimeSeconds }),
    log,
    clock: options.clock ?? (() => new Date()),
    auditWriter(service) {
      let writer = writers.get(service);
      if (!writer) {
        writer = options.auditWriterFor?.(service) ?? createAuditWriter(auditStore, { service, observe: telemetry(service).metrics.auditCommit });
        writers.set(service, writer);
      }
      return writer;
    },
    telemetry,
    async close() {
      // After the services stopped: their last spans are exported before the process ends.
      await Promise.all([...telemetries.values()].map((each) => each.shutdown()));
      facts.stop();
      await stores.close();
      if (ownOwner) await auditOwnerStore.close();
    },
  };
}
