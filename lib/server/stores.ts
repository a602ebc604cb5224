import type { AgencyService, Settings } from '../config.js';
import { SUBGRAPHS, type SubgraphName } from '../domain.js';
import { migrate, openStore, type Store } from '../store/index.js';

/**
 * The stores of the services one process runs: each service's own database (SPEC 1, issue 13:
 * `<AGENCY>_DATABASE_URL`, `AUDIT_DATABASE_URL`, each defaulting to DATABASE_URL), one store
 * per distinct database, so services that share a database share its pool (and the embedded
 * PGlite, which one process holds, is opened once).
 */
export interface ServiceStores {
  storeFor(service: SubgraphName): Store;
  /** Each distinct store with the services whose database it is. */
  readonly groups: readonly StoreGroup[];
  /** Closes the stores this module opened (not those passed in). */
  close(): Promise<void>;
}

export interface StoreGroup {
  readonly store: Store;
  readonly services: readonly SubgraphName[];
  /** Where it is: the database URL, or `embedded`. Compared to tell copies from shared databases. */
  readonly location: string;
}

export interface ServiceStoreOptions {
  /** One store for every agency (tests); the audit store follows `auditStore` or AUDIT_DATABASE_URL. */
  readonly store?: Store;
  readonly auditStore?: Store;
  /** The services this process runs (default: all). Only their databases are opened. */
  readonly services?: readonly SubgraphName[];
}

const EMBEDDED = 'embedded';

/** Where a service's records live, by the settings alone. */
export function serviceLocation(settings: Settings, service: SubgraphName): string {
  const url = service === 'audit' ? settings.auditDatabaseUrl : settings.agencyDatabaseUrls[service as AgencyService];
  return url ?? EMBEDDED;
}

/** Opens (and migrates: each store only its services' schemas) the stores of `services`. */
export async function openServiceStores(settings: Settings, options: ServiceStoreOptions = {}): Promise<ServiceStores> {
  const services = options.services ?? SUBGRAPHS;
  const opened: Store[] = [];
  const byLocation = new Map<string, { store: Store; services: SubgraphName[] }>();
  const open = async (location: string): Promise<Store> => {
    const store = await openStore(location === EMBEDDED ? { dataDir: settings.dataDir } : { databaseUrl: location });
    opened.push(store);
    return store;
  };
  try {
    for (const service of services) {
      const injected = service === 'audit' ? options.auditStore : options.store;
      // An injected store stands for every agency (tests run one database); its location is its
      // identity, so that two injected stores count as two databases.
      const location =
        injected !== undefined ? `injected:${injected === options.store ? 'records' : 'audit'}` : serviceLocation(settings, service);
      let group = byLocation.get(location);
      if (group === undefined && service === 'audit' && options.auditStore === undefined && options.store !== undefined) {
        // Tests pass one store: the audit log shares it unless AUDIT_DATABASE_URL names another.
        if (settings.auditDatabaseUrl === settings.databaseUrl) group = byLocation.get('injected:records');
      }
      if (group === undefined) {
        group = { store: injected ?? (await open(location)), services: [] };
        byLocation.set(location, group);
      }
      group.services.push(service);
    }
    const groups = [...byLocation.entries()].map(([location, group]) => ({ location, store: group.store, services: group.services }));
    for (const group of groups) await migrate(group.store, group.services);
    const storeOf = new Map<SubgraphName, Store>(groups.flatMap((group) => group.services.map((service) => [service, group.store] as const)));
    return {
      groups,
      storeFor(service) {
        const store = storeOf.get(service);
        if (store === undefined) throw new Error(`No store for ${service}: this process does not run it`);
        return store;
      },
      async close() {
        await Promise.all(opened.map((store) => store.close()));
      },
    };
  } catch (error) {
    await Promise.all(opened.map((store) => store.close().catch(() => undefined)));
    throw error;
  }
}
