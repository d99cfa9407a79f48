/**
 * File-system failures in words, and what a path turns out to be, in one place: the data directory, the data files,
 * the user's files, attachments, the log and the knowledge paths all say the same thing for the same problem.
 */
import { statSync } from 'node:fs';

/** The errno code (`ENOENT`, `EACCES`, ...) of a failed file-system call, if it carries one. */
export function errnoCode(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * A failed file-system call in words that complete "<path>: ...", or undefined for a code without wording: the
 * caller then says what it was doing (each keeps its own fallback, such as "cannot read it (<message>)").
 */
export function describeFsError(error: unknown): string | undefined {
  switch (errnoCode(error)) {
    case 'ENOENT':
      return 'file not found';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a folder, not a file';
    case 'ENOTDIR':
      return 'a part of the path is a file, not a folder';
    case 'ELOOP':
      return 'it is a symbolic-link loop, not a file';
    case 'ENAMETOOLONG':
      return 'the path is too long';
    case 'EROFS':
      return 'the file system is read-only';
    case 'ENOSPC':
      return 'no space left on the device';
    case 'EDQUOT':
      return 'the disk quota is exhausted';
    default:
      return undefined;
  }
}

/**
 * What a path is, following symbolic links. `device` is a character or block device, `missing` covers a part of the
 * path being a file (ENOTDIR), and `unreadable` any other failure of the look (a folder on the way that denies it).
 */
export type PathKind = 'file' | 'folder' | 'device' | 'fifo' | 'socket' | 'missing' | 'link-loop' | 'unreadable';

/** Looks at `target` (following symbolic links) and says what it is; never throws. */
export function statKind(target: string): PathKind {
  let stats;
  try {
    stats = statSync(target);
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'missing';
    return code === 'ELOOP' ? 'link-loop' : 'unreadable';
  }
  if (stats.isFile()) return 'file';
  if (stats.isDirectory()) return 'folder';
  if (stats.isFIFO()) return 'fifo';
  if (stats.isSocket()) return 'socket';
  return 'device';
}

/** Whether `kind` exists but is neither a file nor a folder (a device, pipe or socket): nothing to read documents from. */
export function isSpecialFile(kind: PathKind): boolean {
  return kind === 'device' || kind === 'fifo' || kind === 'socket';
}
