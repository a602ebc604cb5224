import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestFederation, type TestFederation } from '../support/federation.js';

/** Where a client socket of this process tried to connect (every address it tried). */
const destinations: string[] = [];

/**
 * Node publishes every client socket it creates on this channel, whoever creates it (a library's
 * own agent included); each address it then tries is a `connectionAttempt`, and a socket that
 * connects reports its peer.
 */
function watchSocket(message: unknown): void {
  const { socket } = message as { socket: Socket };
  socket.on('connectionAttempt', (ip: string) => destinations.push(ip));
  socket.on('connect', () => destinations.push(socket.remoteAddress ?? 'unknown'));
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

/**
 * Nothing leaves the machine: a federation that shares law-enforcement records talks to its own
 * services, its store and nothing else. (@apollo/gateway, left to its defaults, reports usage to
 * Apollo and probes cloud metadata addresses such as 169.254.169.254 from every gateway.)
 */
describe('a running federation connects only to loopback', () => {
  let fed: TestFederation;
  beforeAll(async () => {
    subscribe('net.client.socket', watchSocket);
    fed = await startTestFederation();
  });
  afterAll(async () => {
    await fed?.close();
    unsubscribe('net.client.socket', watchSocket);
  });

  it('starts, answers a query across subgraphs and opens no connection beyond 127.0.0.1', async () => {
    const { body } = await fed.query('ice-officer', 'CUSTODY_TRANSFER', '{ transfers(first: 5) { edges { node { id person { id name encounters { id } } } } } }');
    expect(body.errors ?? []).toEqual([]);
    // Detectors and exporters run on timers: give them the time they would take.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(destinations.length).toBeGreaterThan(0);
    expect(destinations.filter((destination) => !LOOPBACK.test(destination))).toEqual([]);
  });
});
