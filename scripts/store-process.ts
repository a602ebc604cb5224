// The embedded store of `npm start` as a process of its own (started by the supervisor, never
// by hand): one PGlite over data/pglite, migrated and seeded here once, then served over the
// PostgreSQL protocol to the services, which reach it with `pg` as they would a real server.
//   node dist/scripts/store-process.js [port]   (or, from the sources, node --import tsx scripts/store-process.ts [port])
// It listens on a Unix socket in `<data dir>.sock/` (mode 0700: the server has no password, so
// only whoever may read the data files may connect); on Windows, or where that path is too long
// for a socket, on a loopback TCP port (`port`, else any free one).
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { readSettings } from '../lib/config.js';
import { createLogger } from '../lib/log.js';
import { repoPath } from '../lib/paths.js';
import { onParentGone, reportReady } from '../lib/process/parent-link.js';
import { migrate, pgliteStore, startEmbeddedServer } from '../lib/store/index.js';
import { seedIfEmpty } from '../seed/index.js';
import { seedScaleOf } from './seed-scale.js';

const settings = readSettings();
const log = createLogger('store', settings.logLevel);
const port = Number(process.argv[2] ?? '0');
if (!Number.isInteger(port) || port < 0) throw new Error(`store-process: port must be an integer >= 0, got "${process.argv[2] ?? ''}"`);
const dataDir = settings.dataDir ?? repoPath('data', 'pglite');
mkdirSync(dataDir, { recursive: true });
const db = new PGlite(dataDir);
await db.waitReady;
// In process, before anything connects: afterwards the session belongs to the server alone.
const store = pgliteStore(db);
await migrate(store);
const scale = seedScaleOf(settings);
if (scale !== false) {
  const outcome = await seedIfEmpty(store, { scale });
  if (outcome.status === 'seeded') log.info({ scale, counts: outcome.counts }, 'seeded the embedded store');
}
const socketDir = `${dataDir.replace(/\/+$/, '')}.sock`;
// sun_path holds 108 bytes; the socket's name adds 14.
const useSocket = process.platform !== 'win32' && Buffer.byteLength(socketDir) <= 90;
const server = await startEmbeddedServer({ db, listen: useSocket ? { socketDir } : { port }, onError: (error) => log.warn({ err: error }, 'embedded store connection error') });
log.info({ dataDir, url: server.url }, 'embedded store serving');
reportReady(server.url);

let stopping = false;
const stop = async (reason: string): Promise<void> => {
  if (stopping) return;
  stopping = true;
  log.info({ reason }, 'embedded store stopping');
  await server.close();
  await db.close(); // flushes to data/pglite
  process.exit(0);
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
onParentGone(() => void stop('supervisor gone'));
