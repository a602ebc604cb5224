import { pino, type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs; every request-scoped line carries `requestId` through a child logger. */
export function createLogger(service: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ name: service, level, base: { service } });
}
