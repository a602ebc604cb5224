/**
 * Prints the inclusion proof of one record access: `npm run -s audit:prove -- --entry <id>`,
 * `<id>` an AccessEvent id `<chain>:<seq>.<item>` (as the API and the console show it). The JSON
 * it prints is checked with no database by `npm run audit:verify-proof` (format: docs/audit.md,
 * "Inclusion proofs").
 *
 * Reads the store named by AUDIT_DATABASE_URL, else DATABASE_URL, else the embedded store in
 * DATA_DIR (default `<repo>/data/pglite`), as `audit:verify` does. Read-only: it never writes to
 * the log, the checkpoints or anything else. In particular it does NOT sign a checkpoint when
 * none covers the event yet: that would need the audit service's private key in an operator's
 * shell and would write to the store; the audit service signs one within 10 s while events are
 * written (and on shutdown), so the answer is to retry.
 *
 * Exit codes: 0 the proof is printed; 2 a malformed id, no such entry, no checkpoint covering
 * the event yet, bad flags, or an unreadable store (a message, no stack trace).
 */
import { parseArgs } from 'node:util';
import { DEFAULT_CHECKPOINT_INTERVAL_MS } from '../lib/audit/index.js';
import { parseItemId } from '../lib/audit/event-format.js';
import { buildProof } from '../lib/audit/proof-build.js';
import { readSettings, type Settings } from '../lib/config.js';
import { openExistingStore } from '../lib/store/existing.js';
import { openPostgres, sql, type Store } from '../lib/store/index.js';

const USAGE = `Usage: npm run -s audit:prove -- --entry <chain>:<seq>.<item>
  --entry ID   the AccessEvent id of the record access to prove (e.g. cbp:1042.3)
Store: AUDIT_DATABASE_URL, else DATABASE_URL, else the embedded store in DATA_DIR (default data/pglite).
Prints the proof as JSON; check it with: npm run audit:verify-proof -- FILE --jwks JWKS`;

class UsageError extends Error {}
/** A refusal about the entry itself: printed without the usage text. */
class ProveError extends Error {}

async function main(argv: readonly string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: [...argv], options: { entry: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const id = values.entry;
  if (id === undefined || id === '') throw new UsageError('--entry <id> is required');
  // Said before any store is opened: a typo is answered as a typo, whatever the store's state.
  if (parseItemId(id) === null) throw new ProveError(malformed(id));

  const store = await openAuditStore(readSettings());
  try {
    const [schema] = await store.query(sql`SELECT to_regclass('audit.events') IS NOT NULL AS present`);
    if (schema?.['present'] !== true) throw new ProveError('this database has no audit log of events (table "audit.events" is missing)');
    const found = await buildProof(store, id);
    switch (found.kind) {
      case 'proof':
        process.stdout.write(`${JSON.stringify(found.proof, null, 2)}\n`);
        return 0;
      case 'malformed-id':
        throw new ProveError(malformed(id));
      case 'no-such-entry':
        throw new ProveError(`no such entry: ${id}`);
      case 'not-covered':
        throw new ProveError(`no signed checkpoint covers ${id} yet; retry after the next checkpoint (every ${DEFAULT_CHECKPOINT_INTERVAL_MS / 1000} s)`);
    }
  } finally {
    await store.close();
  }
}

const malformed = (id: string): string => `${JSON.stringify(id)} is not an AccessEvent id: expected <chain>:<seq>.<item>, e.g. cbp:1042.3`;

async function openAuditStore(settings: Settings): Promise<Store> {
  const url = settings.auditDatabaseUrl;
  if (url !== undefined) return openPostgres({ connectionString: url });
  try {
    return await openExistingStore(undefined, settings.dataDir);
  } catch (error) {
    throw new ProveError(error instanceof Error ? error.message : String(error));
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) process.stderr.write(`${error.message}\n\n${USAGE}\n`);
    else if (error instanceof ProveError) process.stderr.write(`${error.message}\n`);
    else process.stderr.write(`audit:prove failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  },
);
