/**
 * Lists the files under the knowledge folders without leaving them. Every file and folder visited is judged by its
 * real path (symbolic links resolved, the whole chain): a link inside `kb/` pointing at `/etc/passwd` or `/etc` would
 * otherwise put files the user never meant to share into search results, tool output and the knowledge base. Such a
 * link is skipped and reported, unless the config opts in with `knowledge.allowOutsideRoots`. Links that stay inside
 * the roots keep working; a link to a folder that contains it (a loop) is reported and not followed, and a folder
 * reached twice is read once, under its own path when it has one inside the roots.
 *
 * Synchronous on purpose: the folder search reads its files when it is built, and one implementation serves both it
 * and the ingest scan, so the rule cannot drift between the two.
 */
import { readdirSync, realpathSync, statSync, type Dirent, type Stats } from 'node:fs';
import path from 'node:path';

/** A file found, by the path it was reached through and the real path it is read from. */
export interface WalkedFile {
  /** The path as reached from a root (links not resolved): what users see and what the store records. */
  file: string;
  /** The same file with every link resolved: what is read, so a link swapped after the check changes nothing. */
  realPath: string;
}

/** Something not listed, and why. */
export interface SkippedEntry {
  /** The path as reached from a root (the link's own path for a link). */
  path: string;
  reason: string;
}

/** What a walk found. */
export interface WalkResult {
  files: WalkedFile[];
  skipped: SkippedEntry[];
  /** Roots that do not exist (or cannot be resolved). */
  missing: string[];
}

export interface WalkOptions {
  /** Follow links whose real path is outside every root. Default false. */
  allowOutsideRoots?: boolean;
  /** Entries (files or folders) inside a folder to leave out by name, such as hidden ones. */
  skipName?: (name: string) => boolean;
}

/** The config key that opts in to links leading outside, named in every refusal. */
export const OUTSIDE_ROOTS_SETTING = 'knowledge.allowOutsideRoots';

function resolveReal(entry: string): { real: string } | { error: string } {
  try {
    return { real: realpathSync(entry) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return { error: 'symbolic link loop' };
    if (code === 'ENOENT') return { error: 'dangling symbolic link' };
    return { error: `cannot resolve it (${code ?? String(error)})` };
  }
}

/** Whether `candidate` is `root` or lies under it (both real, absolute paths). */
export function isWithin(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative === '' || (!relative.startsWith(`..${path.sep}`) && relative !== '..' && !path.isAbsolute(relative));
}

/**
 * Walks `roots` (folders or files; relative ones against the working directory, and listed as given) and returns every regular file reachable without
 * leaving the roots' real paths, in a stable order. A root itself may be a link: the user named it, so its target is
 * where the boundary lies. Never throws for what it finds on disk.
 */
export function walkConfined(roots: readonly string[], options: WalkOptions = {}): WalkResult {
  const result: WalkResult = { files: [], skipped: [], missing: [] };
  const resolvedRoots: Array<{ given: string; real: string }> = [];
  for (const given of roots) {
    const resolved = resolveReal(given);
    if ('error' in resolved) result.missing.push(given);
    else resolvedRoots.push({ given, real: resolved.real });
  }
  const realRoots = resolvedRoots.map((root) => root.real);
  const inside = (real: string): boolean => options.allowOutsideRoots === true || realRoots.some((root) => isWithin(root, real));
  const walkedFolders = new Set<string>();
  const listedFiles = new Set<string>();
  // Links are followed after every real folder has been walked, so a folder's files are listed under their own path
  // rather than under a link's name, and a folder reached twice (two links, or a link and its real path) is read once.
  const pendingLinks: Array<{ link: string; parentReal: string }> = [];

  const addFile = (file: string, realPath: string): void => {
    if (listedFiles.has(file)) return;
    listedFiles.add(file);
    result.files.push({ file, realPath });
  };

  const walkFolder = (folder: string, realFolder: string): void => {
    if (walkedFolders.has(realFolder)) return;
    walkedFolders.add(realFolder);
    let entries: Dirent[];
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((left, right) => (left.name < right.name ? -1 : left.name > right.name ? 1 : 0));
    for (const entry of entries) {
      if (options.skipName?.(entry.name)) continue;
      const full = path.join(folder, entry.name);
      if (entry.isSymbolicLink()) {
        pendingLinks.push({ link: full, parentReal: realFolder });
        continue;
      }
      // Not a link, inside a real folder: its real path is the folder's plus its name, no system call needed.
      const real = path.join(realFolder, entry.name);
      if (entry.isDirectory()) walkFolder(full, real);
      else if (entry.isFile()) addFile(full, real);
    }
  };

  const followLink = (link: string, parentReal: string): void => {
    const resolved = resolveReal(link);
    if ('error' in resolved) {
      // A dangling link is simply not a file, as before; loops and other failures are worth a word.
      if (resolved.error !== 'dangling symbolic link') result.skipped.push({ path: link, reason: resolved.error });
      return;
    }
    if (!inside(resolved.real)) {
      result.skipped.push({
        path: link,
        reason: `symbolic link to ${resolved.real}, outside the knowledge folders (set ${OUTSIDE_ROOTS_SETTING}: true to follow such links)`,
      });
      return;
    }
    let info: Stats;
    try {
      info = statSync(resolved.real);
    } catch {
      return;
    }
    if (info.isFile()) {
      addFile(link, resolved.real);
      return;
    }
    if (!info.isDirectory()) return;
    if (isWithin(resolved.real, parentReal)) {
      result.skipped.push({ path: link, reason: `symbolic link loop: it points back to ${resolved.real}, a folder that contains it` });
      return;
    }
    walkFolder(link, resolved.real);
  };

  for (const root of resolvedRoots) {
    let info: Stats;
    try {
      info = statSync(root.real);
    } catch {
      result.missing.push(root.given);
      continue;
    }
    if (info.isDirectory()) walkFolder(root.given, root.real);
    else if (info.isFile()) addFile(root.given, root.real);
  }
  // Each folder is walked once, so this ends: every pending link sits in a walked folder.
  for (let next = pendingLinks.shift(); next !== undefined; next = pendingLinks.shift()) followLink(next.link, next.parentReal);
  return result;
}
