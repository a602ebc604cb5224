/**
 * Verifies the audit log: `npm run audit:verify [-- --checkpoint FILE ...] [--jwks FILE]`.
 *
 * Reads the store named by AUDIT_DATABASE_URL, else DATABASE_URL, else the embedded store in
 * DATA_DIR (default `<repo>/data/pglite`). Prints one line per chain; exits 0 when every chain
 * verifies, 1 naming the first broken entry otherwise, 2 on bad flags or an unreadable store.
 *
 * `--checkpoint FILE` adds checkpoints an auditor kept (JSON as the API's latest checkpoint
 * returns it, a list of them, or bare compact JWS), so that cutting off the newest entries and
 * the stored checkpoints together is still caught. `--jwks FILE|URL` names the audit service's
 * public keys (a JWKS file, or its `/.well-known/jwks.json`); by default AUDIT_JWKS_URL, else the
 * local key set (AUDIT_SIGNING_KEY_FILE or `.dev-issuer/audit-key/`). On PostgreSQL the rows are
 * read and hashed by worker threads (`--workers N`, default one per core up to 4; 0: none), the
 * walk's verdict being the same either way (lib/audit/verify-pool.ts).
 *
 * Warning: the embedded store is single-process; run this against DATA_DIR only while the
 * services using that directory are stopped.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { JSONWebKeySet } from 'jose';
import { loadJwks, parseCheckpointFile, readAuditPublicJwks, verifyChains, type ChainReport } from '../lib/audit/index.js';
import { readSettings, type Settings } from '../lib/config.js';
import { openExistingStore } from '../lib/store/existing.js';
import { openPostgres, sql, type Store } from '../lib/store/index.js';
import { defaultVerifyWorkers, startVerifyPool } from '../lib/audit/verify-pool.js';

const USAGE = `Usage: npm run audit:verify [-- --checkpoint FILE ...] [--jwks FILE|URL] [--workers N]
  --checkpoint FILE   a checkpoint you kept (repeatable)
  --workers N         worker threads reading and hashing (PostgreSQL only; default ${defaultVerifyWorkers()}, 0: none)
  --jwks FILE|URL     the audit service's public keys (default: AUDIT_JWKS_URL, else AUDIT_SIGNING_KEY_FILE or .dev-issuer/audit-key/)
Store: AUDIT_DATABASE_URL, else DATABASE_URL, else the embedded store in DATA_DIR (default data/pglite).`;

class UsageError extends Error {}

async function main(argv: readonly string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { checkpoint: { type: 'string', multiple: true }, jwks: { type: 'string' }, workers: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const workers = values.workers === undefined ? defaultVerifyWorkers() : Number(values.workers);
  if (!Number.isInteger(workers) || workers < 0 || workers > 64) throw new UsageError(`--workers must be a whole number from 0 to 64, got ${values.workers ?? ''}`);
  const checkpoints: string[] = [];
  for (const file of values.checkpoint ?? []) checkpoints.push(...parseCheckpointFile(await readJson(file), file));
  const settings = readSettings();
  const jwks: JSONWebKeySet = values.jwks === undefined ? await readAuditPublicJwks(settings) : await loadJwks(values.jwks);

  const store = await openAuditStore(settings);
  const url = settings.auditAdminDatabaseUrl;
  const pool = url !== undefined && workers > 0 ? startVerifyPool(url, workers) : undefined;
  try {
    const [schema] = await store.query(sql`SELECT to_regclass('audit.events') IS NOT NULL AS present`);
    if (schema?.['present'] !== true) throw new UsageError('this database has no audit log (schema "audit" is missing)');
    const status = await verifyChains(store, { checkpoints, jwks, ...(pool === undefined ? {} : { pool }) });
    for (const chain of status.chains) process.stdout.write(`${line(chain)}\n`);
    if (status.chains.length === 0) process.stdout.write('(the audit log is empty)\n');
    if (status.valid) {
      process.stdout.write(`OK: ${status.checkedEntries} entries (${status.checkedEvents} events) in ${status.chains.length} chain(s) verified\n`);
      return 0;
    }
    const where = status.firstBrokenEntry === null ? '' : ` at entry ${status.firstBrokenEntry}`;
    process.stderr.write(`BROKEN${where}: ${status.reason ?? 'unknown'}\n`);
    return 1;
  } finally {
    await pool?.close();
    await store.close();
  }
}

function line(report: ChainReport): string {
  const range = report.headSeq === null ? 'no events' : `${report.checkedEvents} events, seq ${report.firstSeq ?? '?'}..${report.headSeq}`;
  const head = report.headHash === null ? '' : `, head ${report.headHash.slice(0, 12)}`;
  const detail = `${report.checkedEntries} entries checked (${range}${head}), ${report.checkpointsChecked} checkpoint(s)`;
  return report.valid
    ? `ok      ${report.chain.padEnd(10)} ${detail}`
    : `BROKEN  ${report.chain.padEnd(10)} at ${report.firstBrokenEntry ?? '-'} [${report.problem ?? '?'}] ${report.reason ?? ''}; ${detail}`;
}

async function openAuditStore(settings: Settings): Promise<Store> {
  // Reading needs the owner's (or a reading role's) credentials, not the services' append-only ones.
  const url = settings.auditAdminDatabaseUrl;
  if (url !== undefined) return openPostgres({ connectionString: url });
  try {
    return await openExistingStore(undefined, settings.dataDir);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as unknown;
  } catch (error) {
    throw new UsageError(`${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) process.stderr.write(`${error.message}\n\n${USAGE}\n`);
    else process.stderr.write(`audit:verify failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  },
);
