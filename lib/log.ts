import { pino, type DestinationStream, type Logger } from 'pino';
import { environment } from './config.js';

export type { Logger };

/**
 * Structured JSON logs, one object per line. Each service binds `service` once, in its child
 * logger (`log.child({ service })`); the root binds only `name` (the process). A key bound in a
 * child and bound again by a descendant, or passed again on one line, is written twice (pino
 * does not merge keys), which many log pipelines reject or resolve arbitrarily: bind each key
 * once, and pass `requestId` per line only on loggers that do not bind it.
 */
export function createLogger(name: string, level = environment()['LOG_LEVEL'] ?? 'info', destination?: DestinationStream): Logger {
  const options = { name, level, base: {} };
  return destination === undefined ? pino(options) : pino(options, destination);
}
