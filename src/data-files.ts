/**
 * The files Baton keeps inside its data directory (`baton.db`, `checkpoints.db`, `baton.log`): checked before they are
 * opened, and opened so that any failure becomes a {@link DataFileError} naming the file, what is wrong with it and
 * what to do. Without this, a folder or random bytes where a database should be surfaced as `internal error:
 * SqliteError: file is not a database` with a stack trace, or only at a run's first checkpoint, after the run began.
 *
 * The check reads at most the 16-byte SQLite header, so commands that only list runs stay fast.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { BatonError, DataFileError, errorMessage } from './errors.js';
import { describeFsError, errnoCode } from './fs-problems.js';

/** A file in the data directory, described for messages. */
export interface DataFile {
  /** Absolute path. */
  file: string;
  /** What the file holds, e.g. "Baton's run transcripts"; completes "expected ...". */
  holds: string;
  /** `sqlite`: an SQLite database (or an empty file); `text`: a regular file or a character device (a log may be /dev/null). */
  format: 'sqlite' | 'text';
  /** What to do, when more specific than moving the file away or choosing another data directory. */
  hint?: string;
}

/** Every SQLite 3 database file starts with these 16 bytes. */
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/** A failure to open or read a data file, in words. SQLite's own messages are kept: they say what it found. */
function describeFailure(error: unknown): string {
  switch (errnoCode(error)) {
    case 'SQLITE_READONLY':
      return 'it is read-only';
    case 'SQLITE_NOTADB':
      return 'it is not an SQLite database (file is not a database)';
    case 'SQLITE_CORRUPT':
      return 'the database is damaged (database disk image is malformed)';
    default:
      return describeFsError(error) ?? errorMessage(error);
  }
}

/** Why `dataFile` cannot be used, or undefined when it is usable or absent (it is then created). */
export function inspectDataFile(dataFile: DataFile): string | undefined {
  let stats;
  try {
    stats = statSync(dataFile.file);
  } catch (error) {
    return errnoCode(error) === 'ENOENT' ? undefined : `cannot look at it: ${describeFailure(error)}`;
  }
  if (stats.isDirectory()) return 'it is a folder, not a file';
  // A pipe or socket would block the command the moment it is opened; a character device (/dev/null) is fine for a log.
  if (dataFile.format === 'text') return stats.isFile() || stats.isCharacterDevice() ? undefined : 'it is not a regular file';
  if (!stats.isFile()) return 'it is not a regular file';
  if (stats.size === 0) return undefined; // SQLite makes an empty file a new database.
  const header = Buffer.alloc(SQLITE_HEADER.length);
  let read: number;
  try {
    const descriptor = openSync(dataFile.file, 'r');
    try {
      read = readSync(descriptor, header, 0, header.length, 0);
    } finally {
      closeSync(descriptor);
    }
  } catch (error) {
    return `cannot read it: ${describeFailure(error)}`;
  }
  return read === header.length && header.equals(SQLITE_HEADER) ? undefined : 'it is not an SQLite database (it does not start with the SQLite header)';
}

/** The error for a data file that cannot be used because of `problem`. */
export function dataFileError(dataFile: DataFile, problem: string, cause?: unknown): DataFileError {
  return new DataFileError(`${dataFile.file} cannot be used: ${problem}; expected ${dataFile.holds} (it is created if missing)`, { file: dataFile.file }, {
    hint: dataFile.hint ?? `move ${dataFile.file} away (Baton then starts a new one), or choose another data directory with --data-dir`,
    ...(cause === undefined ? {} : { cause }),
  });
}

/** Throws {@link DataFileError} when `dataFile` exists and is not usable. */
export function assertDataFile(dataFile: DataFile): void {
  const problem = inspectDataFile(dataFile);
  if (problem !== undefined) throw dataFileError(dataFile, problem);
}

/**
 * Checks `dataFile`, then runs `open` (which opens it and reads it once, so a damaged file fails here and not at
 * first use). Any failure other than a {@link BatonError} becomes a {@link DataFileError} naming the file.
 */
export function openDataFile<T>(dataFile: DataFile, open: () => T): T {
  assertDataFile(dataFile);
  try {
    return open();
  } catch (error) {
    if (error instanceof BatonError) throw error;
    throw dataFileError(dataFile, describeFailure(error), error);
  }
}
