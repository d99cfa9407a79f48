/**
 * Checks of a loaded config against the file system: the knowledge paths it names and the data directory it chooses.
 * What Baton can work around is a warning (with the file, field path and line); what leaves nothing useful to do is a
 * typed error naming the path and what was expected.
 */
import { statSync } from 'node:fs';
import { prepareDirectory, type DirectoryFileSystem } from '../data-dir.js';
import { ConfigError, UsageError, type SourceLocation } from '../errors.js';
import { formatPath } from './yaml.js';

/** A problem in the user's files that Baton can work around, with where it is. */
export interface ProjectWarning {
  /** The whole sentence, location first, as printed. */
  message: string;
  location: SourceLocation;
}

/** `file:line (at path)`, as errors print a location. */
export function formatLocation(location: SourceLocation): string {
  return `${location.file}${location.line !== undefined ? `:${location.line}` : ''}${location.path ? ` (at ${location.path})` : ''}`;
}

/** Reports a warning to `onWarning`, if one was given. */
export function warn(options: { onWarning?: (warning: ProjectWarning) => void }, location: SourceLocation, problem: string): void {
  options.onWarning?.({ message: `${formatLocation(location)}: ${problem}`, location });
}

/** Whether a parsed YAML value is a mapping that names `key` itself (not taken from the defaults). */
export function declares(value: unknown, key: string): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.hasOwn(value, key);
}

/**
 * Warns about each `knowledge.paths` entry that names nothing on disk. Not an error: the other paths, the existing
 * knowledge base and the web tools still work, and the folder may be created before the next `baton ingest`.
 */
export function warnMissingKnowledgePaths(
  given: readonly string[],
  resolved: readonly string[],
  options: { onWarning?: (warning: ProjectWarning) => void },
  locate: (fieldPath: Array<string | number>) => SourceLocation,
): void {
  given.forEach((entry, index) => {
    const absolute = resolved[index];
    if (absolute === undefined || pathExists(absolute)) return;
    const location = locate(['knowledge', 'paths', index]);
    warn(options, { ...location, path: formatPath(['knowledge', 'paths', index]) }, `"${entry}" does not exist (${absolute}); expected a folder or file of documents. It is skipped until it exists`);
  });
}

function pathExists(target: string): boolean {
  try {
    statSync(target);
    return true;
  } catch {
    return false;
  }
}

/**
 * Creates the data directory and checks it takes files. A problem is a {@link ConfigError} at the config's `dataDir`
 * when the config chose it (exit 78), else a {@link UsageError} naming `--data-dir` or the default (exit 64).
 */
export function prepareProjectDataDir(
  dataDir: string,
  options: { dataDir?: string },
  configLocation: SourceLocation | undefined,
  fileSystem?: DirectoryFileSystem,
): void {
  const problem = prepareDirectory(dataDir, fileSystem);
  if (problem === undefined) return;
  const expected = 'expected a folder Baton can write to (it is created if missing)';
  if (options.dataDir === undefined && configLocation) {
    throw new ConfigError(`the data directory cannot be used: ${problem}; ${expected}`, [{ ...configLocation, path: 'dataDir' }], {
      hint: 'fix dataDir in the config, or override it with --data-dir',
    });
  }
  const origin = options.dataDir !== undefined ? `given with --data-dir ("${options.dataDir}")` : 'the default, .baton next to the config or in the working directory';
  throw new UsageError(`the data directory ${dataDir} (${origin}) cannot be used: ${problem}; ${expected}`, {
    hint: 'choose another folder with --data-dir, or set dataDir in baton.config.yaml',
  });
}
