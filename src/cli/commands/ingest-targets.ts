/**
 * What `baton ingest` refuses before it starts. A path that does not exist is still useful when the knowledge base
 * holds documents ingested from it (ingesting it again removes them, and the ingest warns); otherwise nothing useful
 * can come of it, and the command fails naming the path instead of reporting "0 files" with exit 0.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, UsageError } from '../../errors.js';

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

function exists(target: string): boolean {
  try {
    statSync(target);
    return true;
  } catch {
    return false;
  }
}

/**
 * Throws when a missing path leaves nothing to do: any such path given on the command line ({@link UsageError}, exit
 * 64), or every path of `knowledge.paths` ({@link ConfigError}, exit 78; a few missing ones were warned about at load).
 */
export function checkIngestTargets(targets: IngestTargets): void {
  const missing = targets.paths.map((given) => ({ given, absolute: path.resolve(targets.cwd, given) })).filter((target) => !exists(target.absolute));
  if (missing.length === 0) return;
  const stored = targets.storedPaths();
  const holdsDocuments = (absolute: string): boolean => stored.some((file) => file === absolute || file.startsWith(absolute.endsWith(path.sep) ? absolute : absolute + path.sep));
  const useless = missing.filter((target) => !holdsDocuments(target.absolute));
  const named = useless.map((target) => (target.given === target.absolute ? `"${target.given}"` : `"${target.given}" (${target.absolute})`)).join(', ');
  const expected = 'expected existing folders or files of documents (Markdown, text, HTML, PDF)';
  if (!targets.fromConfig && useless.length > 0) {
    throw new UsageError(`cannot ingest ${named}: no such file or folder; ${expected}`, { hint: 'check the path; `baton kb` lists what is already ingested' });
  }
  if (targets.fromConfig && useless.length === targets.paths.length) {
    throw new ConfigError(`nothing to ingest: every path of knowledge.paths is missing: ${named}; ${expected}`, [{ file: targets.configFile ?? '(built-in defaults)', path: 'knowledge.paths' }], {
      hint: 'create the folders, fix knowledge.paths, or name paths on the command line: baton ingest <paths>',
    });
  }
}
