/**
 * Logging with pino: JSON lines to `<dataDir>/baton.log`, and readable lines on the terminal for warnings and errors.
 * API keys and authorization headers are redacted by path; message text goes through the same redactor as transcripts.
 */
import { ensureDirectory } from './data-dir.js';
import { openDataFile } from './data-files.js';
import { errorMessage } from './errors.js';
import { describeFsError } from './fs-problems.js';
import { escapeControlCharacters } from './text/control-characters.js';
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
  /**
   * Told once when the log file cannot be written (a full disk, /dev/full, a file removed under a read-only mount):
   * the logger then stops writing to the file and the run goes on. The CLI prints it as a warning.
   */
  onFileError?: (message: string) => void;
}

const REDACT_PATHS = ['apiKey', '*.apiKey', 'headers.authorization', '*.headers.authorization', 'authorization', 'token', '*.token'];

function escapeStrings(value: unknown): unknown {
  if (typeof value === 'string') return escapeControlCharacters(value);
  if (Array.isArray(value)) return value.map(escapeStrings);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([key, item]) => [escapeControlCharacters(key), escapeStrings(item)]));
  return value;
}

/** A JSON log line with every string's control and bidi characters escaped, for the readable terminal stream. */
export function terminalSafeLogLine(line: string): string {
  try {
    return `${JSON.stringify(escapeStrings(JSON.parse(line)))}\n`;
  } catch {
    return escapeControlCharacters(line);
  }
}

export function createLogger(options: LoggerOptions): Logger {
  ensureDirectory(options.dataDir);
  const logFile = path.join(options.dataDir, 'baton.log');
  // A folder at baton.log (or one that cannot be opened) is a DataFileError naming it, not EISDIR with a stack trace.
  const destination = openDataFile({ file: logFile, holds: "Baton's log, a file of JSON lines", format: 'text' }, () => pino.destination({ dest: logFile, sync: true }));
  const fileStream = guardedFileStream(destination, logFile, options.onFileError);
  const streams: pino.StreamEntry[] = [{ level: options.level === 'silent' ? 'error' : options.level, stream: fileStream }];
  if (options.terminalLevel && options.terminalLevel !== 'silent') {
    const readable = pretty({ destination: 2, sync: true, colorize: process.stderr.isTTY, ignore: 'pid,hostname', translateTime: 'HH:MM:ss' });
    // Logged text (goals, document and model text) is shown with its control and bidi characters escaped; the file keeps it exact.
    streams.push({ level: options.terminalLevel, stream: { write: (line: string) => readable.write(terminalSafeLogLine(line)) } });
  }
  const redact = options.redact;
  return pino(
    {
      level: options.level,
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      ...(redact
        ? {
            hooks: {
              // The last step before a line is written, after pino's serializers (which turn a request or an error into
              // plain values that a formatter never sees): every string value of the finished record is redacted.
              streamWrite: (line: string) => redactLogLine(line, redact),
            },
          }
        : {}),
    },
    pino.multistream(streams),
  );
}

/**
 * The log file as a stream that never throws: the first failed write (or error event) stops writing to the file and is
 * reported once through `onError`. Logging is a record of a run, never a reason for it to crash or stop.
 */
function guardedFileStream(destination: ReturnType<typeof pino.destination>, file: string, onError: ((message: string) => void) | undefined): { write: (line: string) => void } {
  let failed = false;
  const stop = (error: unknown): void => {
    if (failed) return;
    failed = true;
    try {
      destination.destroy();
    } catch {
      // Already broken; nothing more to release.
    }
    const reason = describeFsError(error) ?? errorMessage(error);
    onError?.(`cannot write to the log file ${file} (${reason}); logging to it stopped, the run goes on`);
  };
  destination.on('error', stop);
  return {
    write: (line: string) => {
      if (failed) return;
      try {
        destination.write(line);
      } catch (error) {
        stop(error);
      }
    },
  };
}

/**
 * Redacts one serialised log record. The line is parsed and every string value (keys too) goes through the redactor,
 * then it is serialised again, so redaction can never break the JSON around a secret. Free text is redacted as is.
 */
export function redactLogLine(line: string, redact: Redactor): string {
  const trimmed = line.endsWith('\n') ? line.slice(0, -1) : line;
  let record: unknown;
  try {
    record = JSON.parse(trimmed);
  } catch {
    return redact(line);
  }
  const redacted = redactDeep(record, redact);
  return redacted === record ? line : `${JSON.stringify(redacted)}${line.endsWith('\n') ? '\n' : ''}`;
}

/** A logger that writes nothing, for library use and tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
