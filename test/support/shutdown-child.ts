/**
 * A federation in a process of its own, stopped by a signal the way an operator (or Kubernetes)
 * stops `npm start`: for test/e2e/faults-shutdown.test.ts. Run with `npx tsx`.
 *
 * It runs the real services over an empty embedded store, with one difference: the gateway's
 * request-level audit append waits SLOW_MS first, so that a request is reliably in flight, not
 * yet planned, when the signal arrives. It prints one JSON line, `{"gateway": url}`, when ready,
 * and `{"closed": ms}` once drained; then exits 0. Its NODE_ENV is whatever the parent passes:
 * Apollo Server behaves differently on signals unless NODE_ENV is `test`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createAuditWriter, type AuditWriter } from '../../lib/audit/index.js';
import { readSettings } from '../../lib/config.js';
import { openStore } from '../../lib/store/index.js';
import { startFederation } from '../../scripts/federation.js';

const slowMs = Number(process.env.SLOW_MS ?? 1_500);
const store = await openStore({});
const delayed = (inner: AuditWriter): AuditWriter => ({
  chain: inner.chain,
  append: async (entries) => {
    await sleep(slowMs);
    return inner.append(entries);
  },
});
const federation = await startFederation({
  settings: readSettings({ ...process.env, DATABASE_URL: undefined, AUDIT_DATABASE_URL: undefined, LOG_LEVEL: 'silent' }),
  store,
  ephemeralPorts: true,
  seed: false,
  auditWriterFor: (service) => (service === 'gateway' ? delayed(createAuditWriter(store, { service })) : createAuditWriter(store, { service })),
});

// As scripts/federation.ts's runFederation does: drain, then exit.
let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  const started = Date.now();
  await federation.close();
  await store.close();
  process.stdout.write(`${JSON.stringify({ closed: Date.now() - started })}\n`);
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
process.stdout.write(`${JSON.stringify({ gateway: federation.urls.gateway })}\n`);
