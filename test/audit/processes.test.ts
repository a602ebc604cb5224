import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChains } from '../../lib/audit/index.js';
import { sql } from '../../lib/store/index.js';
import { openTestStore, type TestStore } from './stores.js';

/**
 * Real processes on a real PostgreSQL (PGlite is single-process by design): several services
 * appending to one chain at once, and one killed with SIGKILL in the middle of its stream.
 */
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURE = 'test/audit/fixtures/append-batches.ts';

interface Appender {
  readonly child: ChildProcess;
  /** Batches acknowledged so far (the highest `ack` line seen). */
  acked: number;
  readonly exited: Promise<number | null>;
}

function startAppender(databaseUrl: string, chain: string, batchSize: number, batches: number, tag: string): Appender {
  // Its own process group, so that SIGKILL reaches tsx's node child as well as npx.
  const child = spawn('npx', ['tsx', FIXTURE, databaseUrl, chain, String(batchSize), String(batches), tag], {
    cwd: REPO,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const appender: Appender = {
    child,
    acked: 0,
    exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))),
  };
  let buffered = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      const match = /^ack (\d+) /.exec(line);
      if (match) appender.acked = Math.max(appender.acked, Number(match[1]));
    }
  });
  child.stderr?.on('data', () => undefined);
  return appender;
}

const killGroup = (appender: Appender): void => {
  if (appender.child.pid !== undefined) {
    try {
      process.kill(-appender.child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
};

describe('audit appends from several processes on postgres', () => {
  let t: TestStore;
  const started: Appender[] = [];
  beforeAll(async () => {
    t = await openTestStore('postgres');
  });
  afterAll(async () => {
    started.forEach(killGroup);
    await t.dispose();
  });

  it('keeps every acknowledged entry when a writer is killed mid-stream, and the chain verifies', async () => {
    const appender = startAppender(t.databaseUrl!, 'crash', 50, 0, 'crash');
    started.push(appender);
    const deadline = Date.now() + 60_000;
    while (appender.acked < 20 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(appender.acked).toBeGreaterThanOrEqual(20);
    killGroup(appender);
    await appender.exited;
    const acked = appender.acked;

    const rows = await t.store.query(sql`SELECT request_id, count(*) AS n FROM audit.entries WHERE chain = 'crash' GROUP BY request_id`);
    const counts = new Map(rows.map((row) => [String(row['request_id']), Number(row['n'])]));
    for (let batch = 1; batch <= acked; batch += 1) expect(counts.get(`crash-${batch}`), `batch ${batch}`).toBe(50);
    // Nothing partial: any batch beyond the last acknowledgement is whole or absent.
    for (const n of counts.values()) expect(n).toBe(50);
    const status = await verifyChains(t.store, { jwks: { keys: [] } });
    expect(status.chains.find((c) => c.chain === 'crash')).toMatchObject({ valid: true });
  }, 90_000);

  it('never forks a chain that three processes append to at once', async () => {
    const appenders = [0, 1, 2].map((i) => startAppender(t.databaseUrl!, 'multi', 25, 40, `p${i}`));
    started.push(...appenders);
    const codes = await Promise.all(appenders.map((a) => a.exited));
    expect(codes).toEqual([0, 0, 0]);
    // One event per append (25 items each), seq without gaps.
    const [summary] = await t.store.query(
      sql`SELECT count(*) AS n, min(seq) AS lo, max(seq) AS hi, sum(item_count)::bigint AS items FROM audit.events WHERE chain = 'multi'`,
    );
    expect(summary).toEqual({ n: 3 * 40, lo: 1, hi: 3 * 40, items: 3 * 40 * 25 });
    const status = await verifyChains(t.store, { jwks: { keys: [] } });
    expect(status.chains.find((c) => c.chain === 'multi')).toMatchObject({ valid: true, checkedEntries: 3000 });
  }, 120_000);
});
