import { randomBytes } from 'node:crypto';
import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net';
import { connect, type JetStreamManager, type NatsConnection } from 'nats';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAuditWriter } from '../../lib/audit/index.js';
import { startStreamExport, type AuditStreamExporter } from '../../lib/audit/stream-export.js';
import { streamExportStatus } from '../../lib/audit/stream-export-status.js';
import { StreamVerifier } from '../../lib/audit/stream-message.js';
import { ServiceMetrics } from '../../lib/telemetry/metrics.js';
import { sql } from '../../lib/store/index.js';
import { entries } from './entries.js';
import { appendEvents } from './event-rows.js';
import { openTestStore, STORE_KINDS, tamper, type TestStore } from './stores.js';

/**
 * Export to NATS JetStream (the machine's server at 127.0.0.1:4222, `-js`). Each test uses a
 * stream and subject prefix of its own, deleted afterwards, so nothing mixes with a real export.
 */
const NATS_URL = process.env['AUDIT_TEST_NATS'] ?? 'nats://127.0.0.1:4222';

async function until(condition: () => Promise<boolean> | boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A TCP relay to the NATS server that the test can cut and restore: a stream outage on demand. */
class Relay {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;
  async open(): Promise<void> {
    const target = new URL(NATS_URL);
    this.server = createServer((client) => {
      const upstream = tcpConnect(Number(target.port || 4222), target.hostname);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    const server = this.server;
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    const address = server.address();
    if (address !== null && typeof address === 'object') this.port = address.port;
  }
  async cut(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }
}

describe.each(STORE_KINDS)('audit export to JetStream on %s', (kind) => {
  let t: TestStore;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let stream: string;
  let prefix: string;
  const running: AuditStreamExporter[] = [];
  const start = (url = NATS_URL) => {
    const exporter = startStreamExport(t.store, { url, stream, subjectPrefix: prefix, intervalMs: 20, retryMs: 50, timeoutMs: 1_000, batchEvents: 3 });
    running.push(exporter);
    return exporter;
  };
  const head = async (chain: string) => Number((await t.store.query(sql`SELECT max(seq) AS s FROM audit.events WHERE chain = ${chain}`))[0]?.['s'] ?? 0);
  /** Every message of the stream, in stream order: what a consumer would receive. */
  const consume = async (): Promise<string[]> => {
    const info = await jsm.streams.info(stream).catch(() => null);
    const messages: string[] = [];
    if (info === null || info.state.messages === 0) return messages;
    for (let seq = Math.max(1, info.state.first_seq); seq <= info.state.last_seq; seq += 1) {
      messages.push(new TextDecoder().decode((await jsm.streams.getMessage(stream, { seq })).data));
    }
    return messages;
  };
  const streamed = async (chain: string) => (await consume()).map((m) => JSON.parse(m) as { chain: string; seq: number }).filter((m) => m.chain === chain).map((m) => m.seq);
  const verifyFromStream = async () => {
    const verifier = new StreamVerifier();
    for (const message of await consume()) verifier.add(message);
    return verifier.report();
  };

  beforeAll(async () => {
    t = await openTestStore(kind);
    nc = await connect({ servers: NATS_URL });
    jsm = await nc.jetstreamManager();
  });
  afterAll(async () => {
    await nc.close();
    await t.dispose();
  });
  beforeEach(async () => {
    const tag = randomBytes(4).toString('hex');
    stream = `TEST_AUDIT_${tag.toUpperCase()}`;
    prefix = `testaudit${tag}`;
    await tamper(t.store, 'TRUNCATE audit.events, audit.access_items, audit.index_state, audit.checkpoints RESTART IDENTITY');
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((exporter) => exporter.stop()));
    await jsm.streams.delete(stream).catch(() => undefined);
  });

  it('publishes every committed event in chain order, and a consumer verifies the chains from the stream alone', async () => {
    const writer = createAuditWriter(t.store, { service: 'ice' });
    await writer.append(entries(5));
    await writer.append(entries(2, () => ({ requestId: 'req-2', recordType: 'Person' })));
    await appendEvents(t.store, 'other', [{ items: [{}, {}] }, { items: [{}] }, { items: [{}] }, { items: [{}, {}, {}] }]);
    const exporter = start();
    await until(async () => (await consume()).length === (await head('ice')) + 4, 'the export');
    expect(await streamed('other')).toEqual([1, 2, 3, 4]);
    const reports = await verifyFromStream();
    const [iceHead] = await t.store.query(sql`SELECT seq, hash FROM audit.events WHERE chain = 'ice' ORDER BY seq DESC LIMIT 1`);
    expect(reports.find((r) => r.chain === 'ice')).toMatchObject({ valid: true, items: 7, headSeq: Number(iceHead?.['seq']), headHash: iceHead?.['hash'], duplicates: 0 });
    expect(reports.find((r) => r.chain === 'other')).toMatchObject({ valid: true, events: 4, items: 7 });
    expect(exporter.status()).toMatchObject({ connected: true, outageSince: null, lastError: null });
  });

  it('publishes the log as it is: a consumer names the event a database owner altered', async () => {
    await appendEvents(t.store, 'cbp', [{ items: [{}] }, { items: [{ recordId: 'r-2' }, { recordId: 'r-3' }] }, { items: [{}] }]);
    await tamper(t.store, `UPDATE audit.events SET items = replace(items, 'r-3', 'r-9') WHERE chain = 'cbp' AND seq = 2`);
    start();
    await until(async () => (await consume()).length === 3, 'the export');
    expect((await verifyFromStream())[0]).toMatchObject({ valid: false, problem: 'ALTERED', firstBrokenEntry: 'cbp:2', events: 1 });
  });

  it('a restart resumes from the last acknowledged seq, read back from the stream: no gap, no repeat', async () => {
    await appendEvents(t.store, 'cbp', Array.from({ length: 7 }, () => ({ items: [{}] })));
    const first = start();
    await until(async () => (await streamed('cbp')).length === 7, 'the first export');
    await first.stop();
    await appendEvents(t.store, 'cbp', Array.from({ length: 5 }, () => ({ items: [{}, {}] })));
    const second = start();
    await until(async () => (await streamed('cbp')).length >= 12, 'the export after the restart');
    // It sent only what the stream lacked (JetStream's de-duplication would hide resends here).
    expect(second.status().publishedEvents).toBe(5);
    expect(await streamed('cbp')).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect((await verifyFromStream())[0]).toMatchObject({ valid: true, events: 12, duplicates: 0 });
  });

  it('refuses to go on into a stream that holds another log under the same chain, rather than skip', async () => {
    await appendEvents(t.store, 'cbp', [{ items: [{}] }, { items: [{}] }, { items: [{}] }]);
    const first = start();
    await until(async () => (await streamed('cbp')).length === 3, 'the first export');
    await first.stop();
    // Another log under the same chain name: a database rebuilt, the stream kept.
    await tamper(t.store, 'TRUNCATE audit.events');
    await appendEvents(t.store, 'cbp', Array.from({ length: 5 }, () => ({ header: { requestId: 'rebuilt' }, items: [{}] })));
    const second = start();
    await until(() => second.status().outageSince !== null, 'the conflict to be reported');
    expect(second.status().lastError).toMatch(/holds cbp:3 with another hash/);
    expect(await streamed('cbp')).toEqual([1, 2, 3]);
  });

  it('a stream outage never blocks an append; it is reported, and the export catches up without a gap', async () => {
    const relay = new Relay();
    await relay.open();
    await appendEvents(t.store, 'cbp', [{ items: [{}] }, { items: [{}] }]);
    const exporter = start(relay.url);
    await until(async () => (await streamed('cbp')).length === 2, 'the export');

    await relay.cut();
    const writer = createAuditWriter(t.store, { service: 'cbp', chainId: 'cbp' });
    await writer.append(entries(4));
    await writer.append(entries(3, () => ({ requestId: 'req-x' })));
    await until(() => exporter.status().outageSince !== null, 'the outage to be reported');
    expect(exporter.status()).toMatchObject({ connected: false, lastError: expect.any(String) });

    await relay.open();
    await until(async () => (await streamed('cbp')).length === (await head('cbp')), 'the export after the outage');
    expect(await streamed('cbp')).toEqual([1, 2, 3, 4]);
    expect((await verifyFromStream())[0]).toMatchObject({ valid: true, events: 4, items: 9 });
    expect(exporter.status()).toMatchObject({ connected: true, outageSince: null });
  });

  it('reports an unreachable stream from the start, and the log is written all the same', async () => {
    const exporter = start('nats://127.0.0.1:1');
    await createAuditWriter(t.store, { service: 'cbp' }).append(entries(2));
    await until(() => exporter.status().outageSince !== null, 'the outage to be reported');
    expect(exporter.status()).toMatchObject({ connected: false, publishedEvents: 0, lastError: expect.any(String) });
    expect(await head('cbp')).toBeGreaterThan(0);
    // As auditChainStatus { stream } and /metrics report it.
    const reported = await streamExportStatus(t.store, new Date(Date.now() + 5_000));
    expect(reported).toMatchObject({ connected: false, outageSince: expect.any(Date), publishedEvents: 0 });
    expect(reported?.lagMs).toBeGreaterThanOrEqual(5_000);
    const metrics = new ServiceMetrics('audit');
    metrics.measureAuditStream(async () => {
      const status = await streamExportStatus(t.store);
      return { up: status?.connected ?? false, lagSeconds: (status?.lagMs ?? 0) / 1000 };
    })(0);
    expect((await metrics.text()).body).toMatch(/^tributary_audit_stream_up\{service="audit"\} 0$/m);
  });
});
