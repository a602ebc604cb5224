import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { repoPath } from '../paths.js';
import { openPglite } from './pglite.js';
import { openPostgres } from './postgres.js';
import type { Store } from './store.js';

/** No store to read (missing, or held by a running service): operator commands print it and exit 2. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
}

/**
 * The store the services already use, for operator commands (`audit:verify`,
 * `policy:explain`): the PostgreSQL named, else the embedded store under DATA_DIR. Never
 * creates one, and refuses an embedded store another process holds: PGlite serves one process
 * at a time, and a second one reads stale data and can leave the directory unopenable.
 */
export async function openExistingStore(databaseUrl: string | undefined, dataDir: string | undefined): Promise<Store> {
  if (databaseUrl) return openPostgres({ connectionString: databaseUrl });
  const dir = resolve(dataDir || repoPath('data', 'pglite'));
  if (!existsSync(dir)) {
    throw new StoreUnavailableError(`No embedded store at ${dir}: run \`npm start\` once to create and seed it, or set DATA_DIR or DATABASE_URL`);
  }
  // PGlite keeps postmaster.pid while a process has the store open and removes it on close.
  const lock = join(dir, 'postmaster.pid');
  if (existsSync(lock)) {
    throw new StoreUnavailableError(
      `The embedded store at ${dir} is in use: PGlite serves one process at a time, and \`npm start\` (or a service started ` +
        `alone) appears to be running on it. Stop it and run this again, or set DATABASE_URL to read a PostgreSQL the services ` +
        `share. If nothing is running, a previous process did not shut down cleanly: remove ${lock} and retry.`,
    );
  }
  try {
    return await openPglite(dir);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new StoreUnavailableError(`Could not open the embedded store at ${dir} (${reason}); stop any service running on it first.`);
  }
}
