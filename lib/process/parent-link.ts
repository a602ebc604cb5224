/**
 * A child's side of the supervisor (lib/process/supervisor.ts). The supervisor starts each
 * service with an IPC channel; the channel is how the child says it is ready, and how it learns
 * that the supervisor is gone: the kernel closes the channel even when the supervisor is killed
 * with SIGKILL (no handler runs there), so the child notices and stops instead of living on as
 * an orphan holding its port.
 */

/** What a supervised child tells the supervisor (one message, once it listens). */
export interface ReadyMessage {
  readonly type: 'ready';
  /** The service's own URL: GraphQL for a service, postgres:// for the embedded store. */
  readonly url: string;
}

export function isReadyMessage(value: unknown): value is ReadyMessage {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return record['type'] === 'ready' && typeof record['url'] === 'string';
}

/** Whether this process was started by the supervisor (it has the IPC channel). */
export const supervised = (): boolean => typeof process.send === 'function';

export function reportReady(url: string): void {
  const message: ReadyMessage = { type: 'ready', url };
  process.send?.(message);
}

/**
 * Runs `stop` once the supervisor is gone (its channel closed), including when it was already
 * gone before this was called. `stop` drains and exits as on SIGTERM.
 */
export function onParentGone(stop: () => void): void {
  if (!supervised()) return;
  process.once('disconnect', stop);
  if (!process.connected) stop();
}
