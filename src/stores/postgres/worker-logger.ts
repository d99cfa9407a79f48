/**
 * graphile-worker logs to the console unless it is given a Logger. Baton's processes own their output, so the worker's
 * messages go to a callback (a pino logger, a test) or nowhere.
 */
import { Logger, type LogLevel } from 'graphile-worker';

export type WorkerLogListener = (level: 'error' | 'warning' | 'info' | 'debug', message: string, scope: Record<string, unknown>) => void;

/** A graphile-worker Logger that forwards to `listener` (or drops everything). */
export function silentWorkerLogger(listener?: WorkerLogListener): Logger {
  return new Logger((scope) => (level: LogLevel, message: string) => {
    listener?.(level as 'error' | 'warning' | 'info' | 'debug', message, { ...scope });
  });
}
