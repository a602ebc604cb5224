import { openPglite } from './pglite.js';
import { openPostgres } from './postgres.js';
import type { Store } from './store.js';

export interface StoreSettings {
  /** A real PostgreSQL; unset means the embedded store. */
  readonly databaseUrl?: string | undefined;
  /** Where the embedded store keeps its files; unset keeps it in memory. */
  readonly dataDir?: string | undefined;
}

export async function openStore(settings: StoreSettings): Promise<Store> {
  if (settings.databaseUrl) return openPostgres({ connectionString: settings.databaseUrl });
  return openPglite(settings.dataDir);
}
