import { randomUUID } from 'node:crypto';
import type { PersonaName } from '../../lib/identity/index.js';
import { codes, send } from '../support/http-client.js';
import { releasedIds, type Work } from './workload.js';

/** One answered request of the load, as the client saw it. */
export interface Outcome {
  readonly work: number;
  readonly gateway: number;
  readonly requestId: string;
  readonly startedAt: number;
  readonly endedAt: number;
  /** 0: no HTTP answer at all (connection refused or reset). */
  readonly status: number;
  readonly codes: readonly string[];
  /** The messages of its SERVICE_UNAVAILABLE errors (which service, and unreachable, timed out or 5xx). */
  readonly unavailable: readonly string[];
  /** Records the answer released; empty for audit reads (see Work.releasesRecords). */
  readonly ids: readonly string[];
}

export interface LoadOptions {
  readonly gateways: readonly string[];
  readonly workload: readonly Work[];
  readonly tokens: ReadonlyMap<PersonaName, string>;
  readonly concurrency: number;
  /** Keeps sending while this answers true. */
  readonly running: () => boolean;
}

/** Sends one workload item to one gateway, under a request id of its own. */
export async function sendWork(options: Pick<LoadOptions, 'gateways' | 'workload' | 'tokens'>, work: number, gateway: number): Promise<Outcome> {
  const item = options.workload[work];
  const url = options.gateways[gateway];
  if (item === undefined || url === undefined) throw new Error(`no work ${work} or gateway ${gateway}`);
  const requestId = `split-${randomUUID()}`;
  const startedAt = Date.now();
  try {
    const answer = await send(url, {
      token: options.tokens.get(item.persona) ?? '',
      purpose: item.purpose,
      json: { query: item.query },
      headers: { 'x-request-id': requestId },
    });
    return {
      work,
      gateway,
      requestId,
      startedAt,
      endedAt: Date.now(),
      status: answer.status,
      codes: codes(answer.body).map((code) => code ?? '(none)'),
      unavailable: (answer.body.errors ?? []).filter((error) => error.extensions?.code === 'SERVICE_UNAVAILABLE').map((error) => error.message),
      ids: answer.status === 200 && item.releasesRecords ? releasedIds(answer.body) : [],
    };
  } catch {
    return { work, gateway, requestId, startedAt, endedAt: Date.now(), status: 0, codes: [], unavailable: [], ids: [] };
  }
}

/**
 * `concurrency` clients, each taking the next workload item in turn and alternating gateways,
 * until `running()` says stop. Every request is answered or counted as unanswered; none is retried.
 */
export async function runLoad(options: LoadOptions): Promise<readonly Outcome[]> {
  const outcomes: Outcome[] = [];
  let sequence = 0;
  const client = async (): Promise<void> => {
    while (options.running()) {
      const n = sequence++;
      // Over both gateways, and every item through each of them in turn.
      const work = n % options.workload.length;
      const gateway = Math.floor(n / options.workload.length + n) % options.gateways.length;
      outcomes.push(await sendWork(options, work, gateway));
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, () => client()));
  return outcomes;
}
