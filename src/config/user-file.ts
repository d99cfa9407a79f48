/**
 * Reads a file a user wrote (the config, a role, a prompt) safely: it must be a regular file under a size cap, checked
 * before it is opened. Reading a pipe, a device (`/dev/zero`, `/dev/urandom`) or a symbolic link to one otherwise hangs
 * the command, or grows its memory until it dies; a folder ended in EISDIR with a stack trace.
 */
import { readFileSync, statSync } from 'node:fs';
import { errorMessage } from '../errors.js';
import { describeFsError } from '../fs-problems.js';

/** Largest config, role or prompt file read, in bytes. Real ones are a few kilobytes. */
export const MAX_USER_FILE_BYTES = 1024 * 1024;

/** The file's text, or why it cannot be read, in words that complete "<file>: ...". */
export type UserFileText = { text: string } | { problem: string };

/** Why a stat or read of a user's file failed, in words. */
export function describeFileFailure(error: unknown): string {
  return describeFsError(error) ?? `cannot read file (${errorMessage(error)})`;
}

/**
 * Reads a user's text file as UTF-8 after checking (following symbolic links) that it is a regular file of at most
 * `maxBytes` bytes. A UTF-8 byte order mark is dropped, so a file saved by an editor that adds one reads the same.
 */
export function readUserFile(file: string, maxBytes: number = MAX_USER_FILE_BYTES): UserFileText {
  let size: number;
  try {
    const stats = statSync(file);
    if (stats.isDirectory()) return { problem: 'it is a folder, not a file' };
    if (!stats.isFile()) return { problem: 'it is not a regular file (a pipe, device or socket cannot be read as a file)' };
    size = stats.size;
  } catch (error) {
    return { problem: describeFileFailure(error) };
  }
  if (size > maxBytes) return { problem: `it is ${size} bytes, over the ${maxBytes}-byte limit for this kind of file` };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return { problem: describeFileFailure(error) };
  }
  // The file may have grown between the check and the read.
  if (Buffer.byteLength(text, 'utf8') > maxBytes) return { problem: `it grew past the ${maxBytes}-byte limit while being read` };
  return { text: text.startsWith('\uFEFF') ? text.slice(1) : text };
}
