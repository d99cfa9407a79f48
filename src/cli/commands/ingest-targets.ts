/**
 * What `baton ingest` refuses before it starts. A path that does not exist is still useful when the knowledge base
 * holds documents ingested from it (ingesting it again removes them, and the ingest warns); otherwise nothing useful
 * can come of it, and the command fails naming the path instead of reporting "0 files" with exit 0.
 */
import path from 'node:path';
import { ConfigError, UsageError } from '../../errors.js';
import { isSpecialFile, statKind } from '../../fs-problems.js';

/** The paths an ingest was asked for, and where they came from. */
export interface IngestTargets {
  /** As given: on the command line (relative to `cwd`) or from `knowledge.paths` (already absolute). */
  paths: readonly string[];
  /** The config file whose `knowledge.paths` they are; undefined when they were given on the command line. */
  configFile?: string;
  /** True when the paths are the config's `knowledge.paths` (or its default). */
  fromConfig: boolean;
  cwd: string;
  /** Absolute paths of the documents the knowledge base holds; read only when a path is missing. */
  storedPaths: () => readonly string[];
}

/** Whether `target` exists, and whether it is something documents can be read from (a file or a folder). */
function kindOf(target: string): 'missing' | 'readable' | 'special' {
  const kind = statKind(target);
  if (kind === 'file' || kind === 'folder') return 'readable';
  return isSpecialFile(kind) ? 'special' : 'missing';
}

/**
 * Throws when a path leaves nothing to do: an empty path or one that is neither a file nor a folder (a device such as
 * /dev/null, a pipe) or is missing, given on the command line ({@link UsageError}, exit 64); or every path of
 * `knowledge.paths` being so ({@link ConfigError}, exit 78; a few such were warned about at load). An empty folder is
 * not refused: ingesting it removes what was ingested from it before, and the scan warns that it holds no documents.
 */
export function checkIngestTargets(targets: IngestTargets): void {
  const expected = 'expected existing folders or files of documents (Markdown, text, HTML, PDF)';
  if (!targets.fromConfig && targets.paths.some((given) => given.trim() === '')) {
    // path.resolve would turn "" into the working directory and ingest all of it.
    throw new UsageError(`cannot ingest an empty path (""); ${expected}`, { hint: 'name a folder, e.g. `baton ingest docs`; with no path at all, `baton ingest` reads knowledge.paths of the config' });
  }
  if (targets.fromConfig && targets.paths.length === 0) {
    throw new ConfigError(`nothing to ingest: knowledge.paths is an empty list; ${expected}`, [{ file: targets.configFile ?? '(built-in defaults)', path: 'knowledge.paths' }], {
      hint: 'list folders in knowledge.paths, or name paths on the command line: baton ingest <paths>',
    });
  }
  const checked = targets.paths.map((given) => {
    const absolute = path.resolve(targets.cwd, given);
    return { given, absolute, kind: kindOf(absolute) };
  });
  const named = (list: typeof checked): string => list.map((target) => (target.given === target.absolute ? `"${target.given}"` : `"${target.given}" (${target.absolute})`)).join(', ');
  const special = checked.filter((target) => target.kind === 'special');
  if (!targets.fromConfig && special.length > 0) {
    throw new UsageError(`cannot ingest ${named(special)}: neither a file nor a folder (a device, pipe or socket); ${expected}`, { hint: 'name the folders or files that hold your documents' });
  }
  const missing = checked.filter((target) => target.kind === 'missing');
  if (missing.length === 0 && special.length === 0) return;
  const stored = missing.length > 0 ? targets.storedPaths() : [];
  const holdsDocuments = (absolute: string): boolean => stored.some((file) => file === absolute || file.startsWith(absolute.endsWith(path.sep) ? absolute : absolute + path.sep));
  const useless = [...missing.filter((target) => !holdsDocuments(target.absolute)), ...special];
  if (!targets.fromConfig && useless.length > 0) {
    throw new UsageError(`cannot ingest ${named(useless)}: no such file or folder; ${expected}`, { hint: 'check the path; `baton kb` lists what is already ingested' });
  }
  if (targets.fromConfig && useless.length === targets.paths.length) {
    throw new ConfigError(`nothing to ingest: every path of knowledge.paths is missing or neither a file nor a folder: ${named(useless)}; ${expected}`, [{ file: targets.configFile ?? '(built-in defaults)', path: 'knowledge.paths' }], {
      hint: 'create the folders, fix knowledge.paths, or name paths on the command line: baton ingest <paths>',
    });
  }
}
