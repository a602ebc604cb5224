/**
 * A gateway in a process of its own, over subgraphs another process runs: for
 * test/e2e/overload.test.ts. Run with `npx tsx`; configured by the environment as `npm start`
 * would be (`<SUBGRAPH>_URL`, `GATEWAY_MAX_*`, `DEV_ISSUER_DIR`, and `DATABASE_URL` for the audit
 * log; without it, an embedded store of its own in memory).
 *
 * Why a process: a gateway shedding load must answer within milliseconds, and in the test
 * process its event loop would be shared with the subgraphs and the embedded store, whose work
 * blocks it for a quarter of a second at a time under a burst. Deployed, the gateway has a
 * process of its own (docker-compose.yml); so it has here.
 *
 * It prints one JSON line, `{"gateway": url}`, when ready. On SIGTERM it drains, then prints
 * `{"entries": [...], "valid": bool}`, the gateway chain's entries (request id, action,
 * decision, subject, reason) and whether every chain of its audit store verifies, and exits 0.
 */
import { verifyChains } from '../../lib/audit/index.js';
import { readSettings } from '../../lib/config.js';
import { openStore, sql } from '../../lib/store/index.js';
import { startFederation } from '../../scripts/federation.js';

const settings = readSettings({ ...process.env, LOG_LEVEL: 'silent' });
// The embedded store, when there is no PostgreSQL, is this process's own and in memory.
const store = settings.databaseUrl === undefined ? await openStore({}) : undefined;
const federation = await startFederation({
  services: ['gateway'],
  settings,
  ...(store === undefined ? {} : { store }),
  ephemeralPorts: true,
  seed: false,
});

let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  await federation.services.gateway?.close();
  // The last refusals' entries are appended after their answers: read until two reads 100 ms
  // apart agree (at most 10 s).
  const auditStore = federation.runtime.auditStore;
  const read = () => auditStore.query(sql`
    SELECT request_id, action, decision, subject_sub, reason FROM audit.entries WHERE chain = 'gateway' ORDER BY seq`);
  let rows = await read();
  for (let attempt = 0; attempt < 100; attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const again = await read();
    if (again.length === rows.length) break;
    rows = again;
  }
  const status = await verifyChains(auditStore);
  process.stdout.write(
    `${JSON.stringify({
      entries: rows.map((row) => ({
        requestId: row['request_id'],
        action: row['action'],
        decision: row['decision'],
        subjectSub: row['subject_sub'] ?? null,
        reason: row['reason'] ?? null,
      })),
      valid: status.valid,
    })}\n`,
  );
  await federation.runtime.close();
  await store?.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.stdout.write(`${JSON.stringify({ gateway: federation.urls.gateway })}\n`);
