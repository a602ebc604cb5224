import { spawn, type ChildProcess } from 'node:child_process';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChains } from '../../lib/audit/index.js';
import { REPO_ROOT } from '../../lib/paths.js';
import { migrate, openPostgres, pgliteStore, sql, startEmbeddedServer, type EmbeddedServer, type Store } from '../../lib/store/index.js';

/**
 * The embedded store of `npm start` reached from processes of their own, as the services reach
 * it: several processes append to one audit chain at once through the served PGlite (one killed
 * with SIGKILL mid-stream, possibly holding the session), and the chain stays linear, keeps every
 * acknowledged entry and verifies (`npm run audit:verify`'s check, lib/audit verifyChains).
 */
const FIXTURE = 'test/audit/fixtures/append-batches.ts';

interface Appender {
  readonly child: ChildProcess;
  acked: number;
  readonly exited: Promise<number | null>;
}

function startAppender(url: string, chain: string, batchSize: number, batches: number, tag: string): Appender {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, url, chain, String(batchSize), String(batches), tag], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const appender: Appender = { child, acked: 0, exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
  let pending = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const match = /^ack (\d+) /.exec(line);
      if (match) appender.acked = Math.max(appender.acked, Number(match[1]));
    }
  });
  child.stderr?.on('data', () => undefined);
  return appender;
}

describe('the embedded store served to several processes', () => {
  let db: PGlite;
  let server: EmbeddedServer;
  let reader: Store;
  const appenders: Appender[] = [];
  beforeAll(async () => {
    db = new PGlite();
    await migrate(pgliteStore(db));
    server = await startEmbeddedServer({ db });
    reader = openPostgres({ connectionString: server.url, poolSize: 2 });
  });
  afterAll(async () => {
    for (const appender of appenders) appender.child.kill('SIGKILL');
    await reader.close();
    await server.close();
    await db.close();
  });

  it('keeps one chain linear and verifiable while three processes append, one killed with SIGKILL mid-stream', async () => {
    const steady = [0, 1].map((i) => startAppender(server.url, 'procs', 25, 30, `p${i}`));
    const doomed = startAppender(server.url, 'procs', 25, 0, 'doomed');
    appenders.push(...steady, doomed);
    const deadline = Date.now() + 60_000;
    while (doomed.acked < 10 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(doomed.acked).toBeGreaterThanOrEqual(10);
    doomed.child.kill('SIGKILL');
    await doomed.exited;
    expect(await Promise.all(steady.map((appender) => appender.exited))).toEqual([0, 0]);

    const rows = await reader.query(sql`SELECT request_id, count(*) AS n FROM audit.entries WHERE chain = 'procs' GROUP BY request_id`);
    const counts = new Map(rows.map((row) => [String(row['request_id']), Number(row['n'])]));
    for (let batch = 1; batch <= 30; batch += 1) {
      expect(counts.get(`p0-${batch}`), `p0 batch ${batch}`).toBe(25);
      expect(counts.get(`p1-${batch}`), `p1 batch ${batch}`).toBe(25);
    }
    for (let batch = 1; batch <= doomed.acked; batch += 1) expect(counts.get(`doomed-${batch}`), `acknowledged batch ${batch}`).toBe(25);
    // Nothing partial: a batch past the last acknowledgement is whole or absent.
    for (const n of counts.values()) expect(n).toBe(25);
    // One event per acknowledged batch of 25 records: seq 1..events without a gap or a fork.
    const [summary] = await reader.query(
      sql`SELECT count(*)::int AS events, sum(item_count)::int AS items, min(seq)::int AS lo, max(seq)::int AS hi FROM audit.events WHERE chain = 'procs'`,
    );
    const total = [...counts.values()].reduce((sum, n) => sum + n, 0);
    expect(summary).toEqual({ events: total / 25, items: total, lo: 1, hi: total / 25 });
    const status = await verifyChains(reader, { jwks: { keys: [] } });
    expect(status.chains.find((chain) => chain.chain === 'procs')).toMatchObject({ valid: true, checkedEntries: total });
  }, 120_000);
});
