/**
 * Finds the files an ingest reads: every document under the given folders (by extension, skipping hidden entries and
 * `node_modules`), plus files named directly, whatever their extension.
 */
import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { documentKind, type DocumentKind } from './extract.js';

/** A file to read. */
export interface Candidate {
  file: string;
  kind: DocumentKind;
}

/** What a scan found. */
export interface ScanResult {
  candidates: Candidate[];
  /** Absolute paths whose stored documents are replaced by this scan (documents under them that are gone are removed). */
  scopes: string[];
  /** Files in the folders that are not documents (by extension). */
  ignored: number;
  warnings: string[];
}

async function walk(directory: string, into: Candidate[], counters: { ignored: number }): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await readdir(directory, { withFileTypes: true });
  } catch {
    return;
  }
  entries.sort((left, right) => (left.name < right.name ? -1 : left.name > right.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) {
      await walk(full, into, counters);
      continue;
    }
    // Symbolic links are followed to files only, so a link cycle cannot trap the walk.
    const isFile = entry.isFile() || (entry.isSymbolicLink() && (await stat(full).catch(() => undefined))?.isFile() === true);
    if (!isFile) continue;
    const kind = documentKind(full);
    if (kind) into.push({ file: full, kind });
    else counters.ignored += 1;
  }
}

/** Lists the documents under `paths` (resolved against `cwd`). A path that does not exist is reported, not fatal. */
export async function scanPaths(paths: readonly string[], cwd: string): Promise<ScanResult> {
  const candidates: Candidate[] = [];
  const scopes: string[] = [];
  const warnings: string[] = [];
  const counters = { ignored: 0 };
  for (const given of paths) {
    const absolute = path.resolve(cwd, given);
    scopes.push(absolute);
    const info = await stat(absolute).catch(() => undefined);
    if (!info) {
      warnings.push(`${given}: not found; documents previously ingested from it are removed`);
      continue;
    }
    if (info.isDirectory()) await walk(absolute, candidates, counters);
    else candidates.push({ file: absolute, kind: documentKind(absolute) ?? 'text' });
  }
  const seen = new Set<string>();
  return {
    candidates: candidates.filter((candidate) => (seen.has(candidate.file) ? false : (seen.add(candidate.file), true))),
    scopes,
    ignored: counters.ignored,
    warnings,
  };
}
