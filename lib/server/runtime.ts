import type { Logger } from 'pino';
import { createAuditWriter, type AuditWriter } from '../audit/index.js';
import type { Settings } from '../config.js';
import type { ServiceName } from '../domain.js';
import { createTokenVerifier, loadTrustedIssuers, type TokenVerifier } from '../identity/index.js';
import { createLogger } from '../log.js';
import { migrate, openStore, sql, type Store } from '../store/index.js';
import { ServiceTelemetry } from '../telemetry/index.js';
import { defaultPolicyEngine } from '../../policies/index.js';
import type { PolicyEngine } from '../../policies/decision.js';

/**
 * What a process shares between the services it runs: one store (records), one audit store,
 * the policy engine, the token verifier. `npm start` runs every service over one runtime;
 * `npm run start:<name>` builds one for a single service.
 */
export interface Runtime {
  readonly settings: Settings;
  readonly store: Store;
  /** Where the services' audit writers append (with the append-only role, when so configured). */
  readonly auditStore: Store;
  /**
   * The audit database as its owner (AUDIT_ADMIN_DATABASE_URL, else the same as auditStore):
   * the audit service reads, indexes, checkpoints and purges through it; it is what migrates.
   */
  readonly auditOwnerStore: Store;
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
  readonly clock?: () => Date;
  readonly log?: Logger;
  /**
   * Replace the policy engine or the audit writers. Only code can pass these (no setting
   * reaches them): tests inject faults, and the benchmark measures bare federation against the
   * same services with enforcement and audit switched off.
   */
  readonly policy?: PolicyEngine;
  readonly auditWriterFor?: (service: ServiceName) => AuditWriter;
}

export async function createRuntime(settings: Settings, options: RuntimeOptions = {}): Promise<Runtime> {
  const log = options.log ?? createLogger('tributary', settings.logLevel);
  const store = options.store ?? (await openStore({ databaseUrl: settings.databaseUrl, dataDir: settings.dataDir }));
  const sharedAudit = options.auditStore === undefined && settings.auditDatabaseUrl === settings.databaseUrl;
  const auditStore = options.auditStore ?? (sharedAudit ? store : await openStore({ databaseUrl: settings.auditDatabaseUrl }));
  const sharedOwner = options.auditStore !== undefined || settings.auditAdminDatabaseUrl === settings.auditDatabaseUrl;
  const auditOwnerStore = sharedOwner ? auditStore : settings.auditAdminDatabaseUrl === settings.databaseUrl ? store : await openStore({ databaseUrl: settings.auditAdminDatabaseUrl });
  await migrate(store);
  // Only the owner migrates. A service given just the append-only role (AUDIT_DATABASE_URL, no
  // AUDIT_ADMIN_DATABASE_URL) cannot, and relies on the audit service having migrated first.
  if (auditOwnerStore !== store && (await mayMigrate(auditOwnerStore))) await migrate(auditOwnerStore);
  else if (auditOwnerStore !== store) log.info('audit store: connected without CREATE (append-only role); not migrating it');
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
    policy: options.policy ?? defaultPolicyEngine(),
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
      if (options.store === undefined) await store.close();
      if (auditStore !== store && options.auditStore === undefined) await auditStore.close();
      if (auditOwnerStore !== store && auditOwnerStore !== auditStore) await auditOwnerStore.close();
    },
  };
}

/** Whether this connection's role may create schemas in its database (the owner may; the append-only role may not). */
async function mayMigrate(store: Store): Promise<boolean> {
  if (store.kind !== 'postgres') return true;
  const [row] = await store.query(sql`SELECT has_database_privilege(current_database(), 'CREATE') AS may`);
  return row?.['may'] === true;
}
