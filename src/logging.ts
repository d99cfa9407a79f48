/**
 * Logging with pino: JSON lines to `<dataDir>/baton.log`, and readable lines on the terminal for warnings and errors.
 * API keys and authorization headers are redacted by path; message text goes through the same redactor as transcripts.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import { redactDeep, type Redactor } from './transcript/redact.js';

export type { Logger } from 'pino';

export interface LoggerOptions {
  dataDir: string;
  level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** Readable lines on stderr at this level or above; `silent` for none. */
  terminalLevel?: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** Applied to every logged value and message, so secrets never reach a log line. */
  redact?: Redactor;
}

const REDACT_PATHS = ['apiKey', '*.apiKey', 'headers.authorization', '*.headers.authorization', 'authorization', 'token', '*.token'];

export function createLogger(options: LoggerOptions): Logger {
  mkdirSync(options.dataDir, { recursive: true });
  const streams: pino.StreamEntry[] = [{ level: options.level === 'silent' ? 'error' : options.level, stream: pino.destination({ dest: path.join(options.dataDir, 'baton.log'), sync: true, mkdir: true }) }];
  if (options.terminalLevel && options.terminalLevel !== 'silent') {
    streams.push({ level: options.terminalLevel, stream: pretty({ destination: 2, sync: true, colorize: process.stderr.isTTY, ignore: 'pid,hostname', translateTime: 'HH:MM:ss' }) });
  }
  const redact = options.redact;
  return pino(
    {
      level: options.level,
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      ...(redact
        ? {
            formatters: { log: (object: Record<string, unknown>) => redactDeep(object, redact) },
            hooks: {
              logMethod(this: Logger, parameters: unknown[], method: (...args: unknown[]) => void) {
                method.apply(this, parameters.map((parameter) => (typeof parameter === 'string' ? redact(parameter) : parameter)));
              },
            },
          }
        : {}),
    },
    pino.multistream(streams),
  );
}

/** A logger that writes nothing, for library use and tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
