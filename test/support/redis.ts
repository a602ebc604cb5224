import { randomBytes } from 'node:crypto';
import { createServer, Socket, type Server } from 'node:net';
import { Redis } from 'ioredis';

/** The Redis tests share buckets through (TEST_REDIS_URL, else the local one the README names). */
export const testRedisUrl = (): string => process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379';

/** Whether Redis answers a PING within half a second; tests that need it skip, saying so, when not. */
export async function redisReachable(url = testRedisUrl()): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 500, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** A key prefix of this test run's own, so runs in parallel never share a bucket. */
export const uniqueKeyPrefix = (): string => `tributary-test:${randomBytes(6).toString('hex')}:`;

/** Deletes every key under the prefix (SCAN, never KEYS: it does not block a shared Redis). */
export async function deleteKeys(prefix: string, url = testRedisUrl()): Promise<number> {
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) deleted += await client.del(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
  return deleted;
}

export interface TcpFault {
  readonly url: string;
  /**
   * `down`: every connection is cut and new ones are closed at once (Redis stopped);
   * `blackhole`: connections stay open but nothing reaches Redis any more (a hung Redis, a
   * partitioned network).
   */
  set(mode: 'up' | 'down' | 'blackhole'): void;
  close(): Promise<void>;
}

/**
 * A TCP proxy in front of Redis: lets a test take Redis away from one client (and give it
 * back) without touching the Redis other tests use.
 */
export async function startTcpFault(targetUrl = testRedisUrl()): Promise<TcpFault> {
  const target = new URL(targetUrl);
  let mode: 'up' | 'down' | 'blackhole' = 'up';
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    open.add(client);
    client.once('close', () => open.delete(client));
    client.on('error', () => undefined);
    if (mode === 'down') {
      client.destroy();
      return;
    }
    if (mode === 'blackhole') return;
    const upstream = new Socket();
    open.add(upstream);
    upstream.once('close', () => {
      open.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => client.destroy());
    client.once('close', () => upstream.destroy());
    // Forwarded by hand rather than piped, so that `blackhole` can swallow the commands of a
    // connection that is already established (and ready): the client's commands then time out.
    client.on('data', (chunk: Buffer) => {
      if (mode === 'up') upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    upstream.connect(Number(target.port || 6379), target.hostname);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `redis://127.0.0.1:${port}`,
    set(next) {
      mode = next;
      if (next === 'down') for (const socket of open) socket.destroy();
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of open) socket.destroy();
      await closed;
    },
  };
}
