/**
 * Checks of a loaded config against the file system: the knowledge paths it names and the data directory it chooses.
 * What Baton can work around is a warning (with the file, field path and line); what leaves nothing useful to do is a
 * typed error naming the path and what was expected.
 */
import { readdirSync } from 'node:fs';
import { prepareDirectory, type DirectoryFileSystem } from '../data-dir.js';
import { ConfigError, UsageError, type SourceLocation } from '../errors.js';
import { isSpecialFile, statKind } from '../fs-problems.js';
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
 * Warns about `knowledge.paths` that give runs nothing to search: an empty list, an entry that names nothing on disk,
 * an empty folder, or something that is neither a file nor a folder (a device such as /dev/null, a pipe). Not errors:
 * the other paths, the existing knowledge base and the web tools still work, and a folder may be filled before the
 * next `baton ingest`. Only the folder itself is listed, never walked, so loading stays fast.
 */
export function warnUnusableKnowledgePaths(
  given: readonly string[],
  resolved: readonly string[],
  options: { onWarning?: (warning: ProjectWarning) => void },
  locate: (fieldPath: Array<string | number>) => SourceLocation,
): void {
  if (given.length === 0) {
    warn(options, { ...locate(['knowledge', 'paths']), path: 'knowledge.paths' }, 'the list is empty, so runs search no local documents and `baton ingest` without paths has nothing to read; expected folders or files of documents, or leave the field out for the built-in examples');
    return;
  }
  given.forEach((entry, index) => {
    const absolute = resolved[index];
    if (absolute === undefined) return;
    const problem = knowledgePathProblem(absolute);
    if (problem === undefined) return;
    const location = locate(['knowledge', 'paths', index]);
    warn(options, { ...location, path: formatPath(['knowledge', 'paths', index]) }, `"${entry}" ${problem.what} (${absolute}); expected a folder or file of documents. ${problem.meanwhile}`);
  });
}

/** What makes a knowledge path useless now, and what happens meanwhile; undefined when it may hold documents. */
export function knowledgePathProblem(target: string): { what: string; meanwhile: string } | undefined {
  const kind = statKind(target);
  if (kind === 'file') return undefined;
  if (isSpecialFile(kind)) return { what: 'is neither a file nor a folder (a device, pipe or socket)', meanwhile: 'Nothing can be read from it' };
  if (kind !== 'folder') return { what: 'does not exist', meanwhile: 'It is skipped until it exists' };
  let names: string[];
  try {
    names = readdirSync(target);
  } catch {
    return undefined; // Unreadable: the scan reports it with its reason.
  }
  // Hidden entries are never ingested or searched.
  return names.some((name) => !name.startsWith('.')) ? undefined : { what: 'is an empty folder', meanwhile: 'Nothing is searched there until it holds documents' };
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
