import { afterEach, describe, expect, it, vi } from 'vitest';
import { AdmissionControl, type Admission } from '../../gateway/admission.js';
import { overloadedError } from '../../gateway/admit-requests.js';
import { DEFAULT_ADMISSION, readSettings } from '../../lib/config.js';

const never = (): AbortSignal => new AbortController().signal;

/** Settles pending promise callbacks (a queued request admitted by a release resolves in a microtask). */
const settled = async <T>(promise: Promise<T>): Promise<T | 'pending'> => Promise.race([promise, new Promise<'pending'>((resolve) => setImmediate(() => resolve('pending')))]);

const admitted = (admission: Admission | 'pending'): Extract<Admission, { admitted: true }> => {
  if (admission === 'pending' || !admission.admitted) throw new Error(`expected an admission, got ${JSON.stringify(admission)}`);
  return admission;
};

describe('AdmissionControl', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('admits up to maxInFlight at once, queues up to maxQueue, and refuses the rest in the same tick', async () => {
    const control = new AdmissionControl({ maxInFlight: 2, maxQueue: 1, maxQueueWaitMs: 1_000 });
    const first = admitted(await control.enter(never()));
    admitted(await control.enter(never()));
    const queued = control.enter(never());
    expect(await settled(queued)).toBe('pending');
    expect(await control.enter(never())).toEqual({ admitted: false, reason: 'queue_full', queuedMs: 0 });
    expect([control.inFlight, control.queued]).toEqual([2, 1]);

    first.release();
    expect(admitted(await queued).admitted).toBe(true);
    expect([control.inFlight, control.queued]).toEqual([2, 0]);
  });

  it('gives a freed place to the request that has waited longest', async () => {
    const control = new AdmissionControl({ maxInFlight: 1, maxQueue: 3, maxQueueWaitMs: 1_000 });
    const holder = admitted(await control.enter(never()));
    const order: number[] = [];
    const waiting = [1, 2, 3].map((n) =>
      control.enter(never()).then((admission) => {
        order.push(n);
        return admitted(admission);
      }),
    );
    holder.release();
    (await waiting[0])?.release();
    (await waiting[1])?.release();
    await waiting[2];
    expect(order).toEqual([1, 2, 3]);
  });

  it('counts a release once, however often it is called', async () => {
    const control = new AdmissionControl({ maxInFlight: 1, maxQueue: 0, maxQueueWaitMs: 1_000 });
    const place = admitted(await control.enter(never()));
    place.release();
    place.release();
    expect(control.inFlight).toBe(0);
    admitted(await control.enter(never()));
    expect(await control.enter(never())).toMatchObject({ admitted: false, reason: 'queue_full' });
  });

  it('takes a request whose client disconnects out of the queue, so its place goes to the next one', async () => {
    const control = new AdmissionControl({ maxInFlight: 1, maxQueue: 2, maxQueueWaitMs: 1_000 });
    const holder = admitted(await control.enter(never()));
    const client = new AbortController();
    const leaving = control.enter(client.signal);
    const staying = control.enter(never());
    client.abort();
    expect(await leaving).toMatchObject({ admitted: false, reason: 'disconnected' });
    expect(control.queued).toBe(1);
    holder.release();
    expect(admitted(await staying).admitted).toBe(true);
    expect(control.inFlight).toBe(1);
  });

  it('refuses a request that already lost its client without queueing it', async () => {
    const control = new AdmissionControl({ maxInFlight: 1, maxQueue: 1, maxQueueWaitMs: 1_000 });
    const client = new AbortController();
    client.abort();
    expect(await control.enter(client.signal)).toMatchObject({ admitted: false, reason: 'disconnected' });
    expect([control.inFlight, control.queued]).toEqual([0, 0]);
  });

  it('refuses a request that waited maxQueueWaitMs without a place, and forgets it', async () => {
    vi.useFakeTimers();
    let clock = 0;
    const control = new AdmissionControl({ maxInFlight: 1, maxQueue: 1, maxQueueWaitMs: 2_000 }, () => clock);
    const holder = admitted(await control.enter(never()));
    const waiting = control.enter(never());
    clock = 2_000;
    vi.advanceTimersByTime(2_000);
    expect(await waiting).toEqual({ admitted: false, reason: 'queue_timeout', queuedMs: 2_000 });
    expect(control.queued).toBe(0);
    holder.release();
    expect(control.inFlight).toBe(0);
  });

  it('reports how long an admitted request waited', async () => {
    let clock = 100;
    const control = new AdmissionControl({ maxInFlight: 1, maxQueue: 1, maxQueueWaitMs: 5_000 }, () => clock);
    const holder = admitted(await control.enter(never()));
    expect(holder.queuedMs).toBe(0);
    const waiting = control.enter(never());
    clock = 350;
    holder.release();
    expect(admitted(await waiting).queuedMs).toBe(250);
  });

  it('admits everything and counts nothing when maxInFlight is 0', async () => {
    const control = new AdmissionControl({ maxInFlight: 0, maxQueue: 0, maxQueueWaitMs: 0 });
    const all = await Promise.all(Array.from({ length: 100 }, () => control.enter(never())));
    expect(all.every((admission) => admission.admitted)).toBe(true);
    expect([control.enabled, control.inFlight]).toEqual([false, 0]);
  });

  it('refuses settings that cannot work, naming them', () => {
    expect(() => new AdmissionControl({ maxInFlight: -1, maxQueue: 0, maxQueueWaitMs: 0 })).toThrow(/maxInFlight must be a whole number >= 0, got -1/);
    expect(() => new AdmissionControl({ maxInFlight: 1, maxQueue: 1.5, maxQueueWaitMs: 0 })).toThrow(/maxQueue/);
  });
});

describe('admission settings', () => {
  it('default to 32 in flight, 64 queued, 2 s of waiting, and read GATEWAY_MAX_* from the environment', () => {
    expect(readSettings({}).admission).toEqual(DEFAULT_ADMISSION);
    expect(DEFAULT_ADMISSION).toEqual({ maxInFlight: 32, maxQueue: 64, maxQueueWaitMs: 2_000 });
    expect(readSettings({ GATEWAY_MAX_IN_FLIGHT: '4', GATEWAY_MAX_QUEUE: '8', GATEWAY_MAX_QUEUE_WAIT_MS: '500' }).admission).toEqual({
      maxInFlight: 4,
      maxQueue: 8,
      maxQueueWaitMs: 500,
    });
    expect(() => readSettings({ GATEWAY_MAX_QUEUE: 'many' })).toThrow(/GATEWAY_MAX_QUEUE must be an integer >= 0/);
  });
});

describe('overloadedError', () => {
  it('is SERVICE_UNAVAILABLE with the wait and the reason in extensions', () => {
    const error = overloadedError('queue_full', 1);
    expect(error.code).toBe('SERVICE_UNAVAILABLE');
    expect(error.message).toBe('The gateway is overloaded: every place and the queue are taken; retry in 1 s');
    expect(error.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryAfter: 1, reason: 'queue_full' });
  });
});
