import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { MessageReader, type FrontendMessage } from './wire-messages.js';

/**
 * One PGlite served over the PostgreSQL protocol, so that each service of `npm start` (a
 * process of its own) reaches the one embedded database with `pg`, as it would a real server.
 *
 * PGlite is a single backend session. Several connections can share it only if each gets the
 * session to itself for as long as its state lives there. Per message is not enough: the
 * multiplexer of `@electric-sql/pglite-socket` 0.2.18 hands the session over between any two
 * messages outside a transaction block, so the Parse/Bind/Execute/Sync of two clients interleave
 * whenever a message spans TCP reads (a large parameter), and a client then runs another's
 * statement (test/store/embedded-server.test.ts measures it; docs/architecture.md). Here a
 * connection holds the session from its first message until the backend is idle again: after a
 * Sync or a simple Query, outside a transaction block. A transaction (BEGIN..COMMIT, with its
 * advisory xact locks) is therefore exclusive, as PGlite's own `transaction()` is in process.
 */
export interface EmbeddedServerOptions {
  readonly db: PGlite;
  /**
   * Where to listen: a loopback TCP port (0: any free one), or a Unix socket in `socketDir`
   * (created with mode 0700). `npm start` uses the socket: the server has no authentication (a
   * connection is the superuser, as a local PostgreSQL in trust mode), so on a shared machine
   * only the directory's owner may reach it, as only they may read the data files.
   */
  readonly listen?: { readonly host?: string; readonly port: number } | { readonly socketDir: string };
  /**
   * A connection holding the session (mid-transaction) that sends nothing for this long is closed
   * and its transaction rolled back, so that one stuck client cannot stop every other one
   * (PostgreSQL's idle_in_transaction_session_timeout).
   */
  readonly holdTimeoutMs?: number;
  readonly onError?: (error: Error) => void;
}

export interface EmbeddedServer {
  /** A `pg` connection string for it. */
  readonly url: string;
  /** Closes every connection (rolling back what it held), then stops listening. */
  close(): Promise<void>;
}

/** What a connection asks of the session: a message to run, or (on close) to release it cleanly. */
type Work = { readonly kind: 'message'; readonly message: FrontendMessage } | { readonly kind: 'release' };

interface Connection {
  readonly socket: Socket;
  readonly reader: MessageReader;
  readonly pending: Work[];
  closed: boolean;
}

/** The port number in the socket's file name (`.s.PGSQL.<port>`); no TCP port is opened. */
const SOCKET_PORT = 5432;

// A Sync message: ends an extended-protocol sequence the client left unfinished when it went away.
const SYNC = new Uint8Array([0x53, 0, 0, 0, 4]);

export async function startEmbeddedServer(options: EmbeddedServerOptions): Promise<EmbeddedServer> {
  const { db } = options;
  const holdTimeoutMs = options.holdTimeoutMs ?? 30_000;
  const report = options.onError ?? (() => undefined);
  await db.waitReady;
  /** Connections with work, in arrival order; the session goes to the first when it is free. */
  const waiting: Connection[] = [];
  const connections = new Set<Connection>();
  let owner: Connection | undefined;
  let running = false;
  let holdTimer: NodeJS.Timeout | undefined;

  const enqueue = (connection: Connection, work: Work): void => {
    connection.pending.push(work);
    if (connection !== owner && !waiting.includes(connection)) waiting.push(connection);
    if (holdTimer !== undefined && connection === owner) {
      clearTimeout(holdTimer);
      holdTimer = undefined;
    }
    void pump();
  };

  const run = async (connection: Connection, message: FrontendMessage): Promise<void> => {
    if (message.kind === 'encryption-request') {
      connection.socket.write('N');
      return;
    }
    if (message.kind === 'cancel') {
      // No second backend to signal; PostgreSQL closes a cancel connection without an answer.
      connection.socket.end();
      return;
    }
    if (message.kind === 'typed' && message.type === 'X') {
      connection.socket.end(); // Terminate: the 'release' queued on close rolls back what is left
      return;
    }
    await db.runExclusive(() =>
      db.execProtocolRawStream(message.bytes, {
        onRawData: (data) => {
          if (!connection.closed && data.length > 0) connection.socket.write(Buffer.from(data));
        },
      }),
    );
  };

  /** A connection gone while it held the session: finish its sequence, roll back its transaction. */
  const release = async (): Promise<void> => {
    await db.runExclusive(() => db.execProtocolRawStream(SYNC, { onRawData: () => undefined }));
    if (db.isInTransaction()) await db.exec('ROLLBACK');
  };

  /** Whether the session is free after `work`: the backend is idle again, ready for anyone. */
  const idleAfter = (work: Work): boolean => {
    if (work.kind === 'release') return true;
    const { message } = work;
    if (message.kind !== 'typed' && message.kind !== 'startup') return true;
    // Only Sync and Query end with ReadyForQuery; between them a sequence is under way.
    const ends = message.kind === 'startup' || message.type === 'S' || message.type === 'Q';
    return ends && !db.isInTransaction();
  };

  async function pump(): Promise<void> {
    if (running) return;
    running = true;
    try {
      for (;;) {
        if (owner === undefined) {
          owner = waiting.shift();
          if (owner === undefined) return;
        }
        const current: Connection = owner;
        const work = current.pending.shift();
        if (work === undefined) {
          // The owner is mid-sequence or mid-transaction and its next message has not arrived.
          holdTimer ??= setTimeout(() => {
            holdTimer = undefined;
            report(new Error(`embedded store: a connection held the session ${holdTimeoutMs} ms without a message; closed`));
            current.socket.destroy();
          }, holdTimeoutMs);
          return;
        }
        try {
          if (work.kind === 'release') await release();
          else if (!current.closed) await run(current, work.message);
        } catch (error) {
          report(error instanceof Error ? error : new Error(String(error)));
          current.socket.destroy();
        }
        if (idleAfter(work)) {
          owner = undefined;
          if (current.pending.length > 0) waiting.push(current);
        }
      }
    } finally {
      running = false;
    }
  }

  const accept = (socket: Socket): void => {
    socket.setNoDelay(true);
    const connection: Connection = { socket, reader: new MessageReader(), pending: [], closed: false };
    connections.add(connection);
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const message of connection.reader.push(chunk)) enqueue(connection, { kind: 'message', message });
      } catch (error) {
        report(error instanceof Error ? error : new Error(String(error)));
        socket.destroy();
      }
    });
    socket.on('error', () => undefined); // a client killed mid-write; 'close' follows
    socket.on('close', () => {
      connection.closed = true;
      connections.delete(connection);
      // Queued messages of a closed connection are dropped; if it holds the session (or may
      // by the time its turn comes), it releases it in order.
      connection.pending.length = 0;
      if (connection === owner) enqueue(connection, { kind: 'release' });
      else {
        const at = waiting.indexOf(connection);
        if (at >= 0) waiting.splice(at, 1);
      }
    });
  };

  const server: Server = createServer(accept);
  const listen = options.listen ?? { port: 0 };
  let url: string;
  if ('socketDir' in listen) {
    mkdirSync(listen.socketDir, { recursive: true, mode: 0o700 });
    chmodSync(listen.socketDir, 0o700);
    // libpq's name for a server's socket, so that psql and pg find it from the directory alone.
    const path = join(listen.socketDir, `.s.PGSQL.${SOCKET_PORT}`);
    rmSync(path, { force: true }); // left by a store process that was killed
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => resolve());
    });
    url = `postgres://postgres@localhost:${SOCKET_PORT}/postgres?host=${encodeURIComponent(listen.socketDir)}`;
  } else {
    const host = listen.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(listen.port, host, () => resolve());
    });
    url = `postgres://postgres@${host}:${(server.address() as AddressInfo).port}/postgres`;
  }
  return {
    url,
    async close() {
      if (holdTimer !== undefined) clearTimeout(holdTimer);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const connection of connections) connection.socket.destroy();
      await closed;
      // Let the releases queued by those closes run before the database is closed.
      while (running || owner !== undefined) await new Promise((resolve) => setTimeout(resolve, 5));
    },
  };
}
