/**
 * Finds the files an ingest reads: every document under the given folders (by extension, skipping hidden entries and
 * `node_modules`), plus files named directly, whatever their extension.
 */
import path from 'node:path';
import { isSpecialFile, statKind } from '../fs-problems.js';
import { isWithin, walkConfined, type SkippedEntry } from './confined-walk.js';
import { documentExtensions, documentKind, type DocumentKind } from './extract.js';

/** A file to read. */
export interface Candidate {
  /** The path as found under a root: what is recorded and shown. */
  file: string;
  /** The file with every symbolic link resolved, checked to lie inside the roots: what is read. */
  realPath?: string;
  kind: DocumentKind;
}

/** What a scan found. */
export interface ScanResult {
  candidates: Candidate[];
  /** Absolute paths whose stored documents are replaced by this scan (documents under them that are gone are removed). */
  scopes: string[];
  /** Files in the folders that are not documents (by extension). */
  ignored: number;
  /** Links not followed (outside the roots, loops), with the reason. */
  skipped: SkippedEntry[];
  warnings: string[];
}

/** Options of a scan. */
export interface ScanOptions {
  /** Follow symbolic links that lead outside the given paths (`knowledge.allowOutsideRoots`). Default false. */
  allowOutsideRoots?: boolean;
}

/**
 * Lists the documents under `paths` (resolved against `cwd`). A path that does not exist is reported, not fatal. Links
 * whose real path is outside every given path are skipped (see confined-walk.ts) unless `allowOutsideRoots`.
 */
export async function scanPaths(paths: readonly string[], cwd: string, options: ScanOptions = {}): Promise<ScanResult> {
  const candidates: Candidate[] = [];
  const warnings: string[] = [];
  const scopes = paths.map((given) => path.resolve(cwd, given));
  const walked = walkConfined(scopes, {
    ...(options.allowOutsideRoots ? { allowOutsideRoots: true } : {}),
    skipName: (name) => name.startsWith('.') || name === 'node_modules',
  });
  const missing = new Set(walked.missing);
  paths.forEach((given, position) => {
    if (missing.has(scopes[position] ?? '')) warnings.push(`${given}: not found; documents previously ingested from it are removed`);
  });
  let ignored = 0;
  for (const found of walked.files) {
    const kind = documentKind(found.file);
    // A file named directly is read whatever its extension; in folders, only documents are.
    const namedDirectly = scopes.includes(found.file);
    if (kind || namedDirectly) candidates.push({ file: found.file, realPath: found.realPath, kind: kind ?? 'text' });
    else ignored += 1;
  }
  // A root that yields nothing is said, naming it: "Ingested 0 file(s)" alone does not tell which path was useless.
  paths.forEach((given, position) => {
    const scope = scopes[position];
    if (scope === undefined || missing.has(scope)) return;
    const found = (file: string): boolean => isWithin(scope, file);
    if (candidates.some((candidate) => found(candidate.file))) return;
    const others = walked.files.filter((entry) => found(entry.file)).length;
    // A path gone meanwhile is not special: the next scan reports it as missing.
    warnings.push(
      isSpecialFile(statKind(scope))
        ? `${given}: neither a file nor a folder (a device, pipe or socket); nothing read`
        : `${given}: no documents found, so nothing was ingested from it (${others > 0 ? `${others} file(s) of other kinds ignored` : 'the folder is empty, hidden files aside'}); documents are files ending in ${documentExtensions().join(', ')}`,
    );
  });
  const seen = new Set<string>();
  return {
    candidates: candidates.filter((candidate) => (seen.has(candidate.file) ? false : (seen.add(candidate.file), true))),
    scopes,
    ignored,
    skipped: walked.skipped,
    warnings,
  };
}
