/**
 * Making sure a directory Baton writes to (the data directory, its `kb/` folder) is usable: it exists or can be
 * created, is a directory, and takes new files. Every problem comes back as one sentence naming the path.
 *
 * Folders are created one level at a time, from the nearest existing parent down, instead of with
 * `mkdirSync(..., { recursive: true })`: on a virtual file system such as /proc, where `mkdir` answers ENOENT under
 * a parent that exists, Node's recursive mkdir retries for ever. Here every step is bounded by the path's depth.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, statSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { errorMessage, UsageError } from './errors.js';
import { describeFsError, errnoCode } from './fs-problems.js';

/** The file-system calls the check needs; injected by tests to play permission and read-only cases. */
export interface DirectoryFileSystem {
  /** Throws like `fs.statSync` (ENOENT, ENOTDIR, EACCES, ...). */
  stat(target: string): { isDirectory(): boolean };
  /** Creates one folder whose parent exists; throws like `fs.mkdirSync` without `recursive`. */
  mkdir(target: string): void;
  /** Creates and removes a file in `directory`; throws if the folder takes no new files. */
  probeWrite(directory: string): void;
}

/** The real file system. */
export const nodeDirectoryFileSystem: DirectoryFileSystem = {
  stat: (target) => statSync(target),
  mkdir: (target) => mkdirSync(target),
  probeWrite: (directory) => {
    // A random name, created exclusively: a planted file or symbolic link at a predictable name is never written through.
    const probe = path.join(directory, `.baton-write-check-${process.pid}-${randomBytes(6).toString('hex')}`);
    closeSync(openSync(probe, 'wx'));
    unlinkSync(probe);
  },
};

/** Why a look, a mkdir or the write probe failed; an unworded failure is named by its code (or message). */
function reason(error: unknown): string {
  return describeFsError(error) ?? errnoCode(error) ?? errorMessage(error);
}

/**
 * Creates `directory` if it is missing and checks it is a writable directory. Returns why it cannot be used, or
 * undefined when it is ready.
 */
export function prepareDirectory(directory: string, fileSystem: DirectoryFileSystem = nodeDirectoryFileSystem): string | undefined {
  const target = path.resolve(directory);
  const missing: string[] = [];
  let current = target;
  for (;;) {
    let isDirectory: boolean;
    try {
      isDirectory = fileSystem.stat(current).isDirectory();
    } catch (error) {
      const code = errnoCode(error);
      if (code !== 'ENOENT' && code !== 'ENOTDIR') return `cannot look at ${current}: ${reason(error)}`;
      const parent = path.dirname(current);
      if (parent === current) return `${current} does not exist`;
      missing.unshift(current);
      current = parent;
      continue;
    }
    if (!isDirectory) {
      return current === target ? `${target} is a file, not a directory` : `${target} cannot be created: ${current} is a file, not a directory`;
    }
    break;
  }
  for (const folder of missing) {
    try {
      fileSystem.mkdir(folder);
    } catch (error) {
      const code = errnoCode(error);
      if (code === 'EEXIST') {
        // Created by someone else meanwhile; fine if it is a folder.
        let raced: boolean;
        try {
          raced = fileSystem.stat(folder).isDirectory();
        } catch {
          raced = false;
        }
        if (raced) continue;
        return `${folder} is a file, not a directory`;
      }
      if (code === 'ENOENT') return `cannot create ${folder}: ${path.dirname(folder)} does not accept new folders (a virtual file system such as /proc or /sys?)`;
      return `cannot create ${folder}: ${reason(error)}`;
    }
  }
  try {
    fileSystem.probeWrite(target);
  } catch (error) {
    return `${target} does not accept new files: ${reason(error)}`;
  }
  return undefined;
}

/** Throws {@link UsageError} unless `directory` is (or has now been made) a writable directory. */
export function ensureDirectory(directory: string, what = 'data directory', fileSystem: DirectoryFileSystem = nodeDirectoryFileSystem): void {
  const problem = prepareDirectory(directory, fileSystem);
  if (problem !== undefined) {
    throw new UsageError(`the ${what} cannot be used: ${problem}; expected a folder Baton can write to (it is created if missing)`, {
      hint: 'choose another folder with --data-dir, or with dataDir in baton.config.yaml',
    });
  }
}
