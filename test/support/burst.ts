import { Worker } from 'node:worker_threads';
import { answerOf, type Answer } from './http-client.js';

/** One request of a burst: what `send` would put on the wire. */
export interface BurstRequest {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

interface WireAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly text: string;
  readonly ms: number;
}

/**
 * The client side of a burst, run in a thread of its own: it starts every request in the same
 * tick and times each from its start to the end of its body.
 */
const CLIENT = `
const { parentPort, workerData } = require('node:worker_threads');
const one = async ({ headers, body }) => {
  const started = performance.now();
  const response = await fetch(workerData.url, { method: 'POST', headers, body });
  const text = await response.text();
  return { status: response.status, headers: Object.fromEntries(response.headers), text, ms: performance.now() - started };
};
Promise.all(workerData.requests.map(one)).then(
  (answers) => parentPort.postMessage({ answers }),
  (error) => parentPort.postMessage({ error: String(error && error.stack || error) }),
);
`;

/**
 * Sends every request at once, from a worker thread, and returns the answers in order, as
 * `send` returns one. Why a thread: the test's federation runs in the test's own process, and
 * a client sharing an event loop with a busy server cannot make a burst (undici opens its
 * connections between the server's turns: of 50 requests fired at once at an in-process
 * server busy 40 ms per request, at most 3 were ever in flight). From another thread, all of
 * them reach the server's listen queue at once, as they would from 200 clients.
 */
export async function burst(url: string, requests: readonly BurstRequest[]): Promise<Answer[]> {
  const worker = new Worker(CLIENT, { eval: true, workerData: { url, requests } });
  try {
    const reply = await new Promise<unknown>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    if (typeof reply !== 'object' || reply === null) throw new Error('the burst client sent nothing');
    if ('error' in reply) throw new Error(`the burst client failed: ${String(reply.error)}`);
    const answers = 'answers' in reply && Array.isArray(reply.answers) ? (reply.answers as WireAnswer[]) : [];
    return answers.map((answer) => answerOf(answer.status, new Headers(answer.headers), answer.text, answer.ms));
  } finally {
    await worker.terminate();
  }
}
