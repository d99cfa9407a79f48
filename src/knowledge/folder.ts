/**
 * The offline default evidence source: a keyword (BM25) search over the Markdown and text files of local folders,
 * read into memory at open. Enough for the core loop; the HNSW + BM25 knowledge base replaces it when one is built.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { walkConfined, type SkippedEntry } from './confined-walk.js';
import { searchTerms } from './text.js';
import type { EvidenceSource, Passage, SourceText } from './types.js';

interface Chunk {
  chunkId: string;
  source: string;
  startLine: number;
  endLine: number;
  text: string;
  terms: Map<string, number>;
  length: number;
}

const TEXT_EXTENSIONS = new Set(['.md', '.markdown', '.txt']);

/** Paragraph-sized chunks of a document with 1-based line ranges. */
export function chunkByParagraph(text: string): Array<{ startLine: number; endLine: number; text: string }> {
  const lines = text.split('\n');
  const chunks: Array<{ startLine: number; endLine: number; text: string }> = [];
  let start = -1;
  const flush = (end: number): void => {
    if (start < 0) return;
    const body = lines.slice(start, end).join('\n').trim();
    if (body) chunks.push({ startLine: start + 1, endLine: end, text: body });
    start = -1;
  };
  lines.forEach((line, index) => {
    if (line.trim() === '') flush(index);
    else if (start < 0) start = index;
  });
  flush(lines.length);
  return chunks;
}

/** Options of a folder search. */
export interface FolderEvidenceOptions {
  /** Source paths are shown relative to this folder when inside it. */
  displayRoot?: string;
  /** Follow symbolic links whose real path is outside `paths` (`knowledge.allowOutsideRoots`). Default false. */
  allowOutsideRoots?: boolean;
  /** Told about each link or file left out, with the reason (a logger's warn). */
  warn?: (message: string) => void;
}

/** Keyword search over local files. */
export class FolderEvidence implements EvidenceSource {
  private readonly chunks: Chunk[] = [];
  private readonly texts = new Map<string, string>();
  private readonly documentFrequency = new Map<string, number>();
  private averageLength = 1;
  /** Links and files left out (outside the folders, loops, unreadable), with the path shown and the reason. */
  readonly skipped: readonly SkippedEntry[];

  /**
   * Reads every Markdown and text file under the given paths, never beyond their real paths: a symbolic link leading
   * outside them is skipped (see confined-walk.ts) unless `allowOutsideRoots`.
   */
  constructor(paths: readonly string[], options: FolderEvidenceOptions = {}) {
    const walked = walkConfined(paths, { ...(options.allowOutsideRoots ? { allowOutsideRoots: true } : {}), skipName: (name) => name.startsWith('.') });
    const skipped: SkippedEntry[] = walked.skipped.map((entry) => ({ path: displayPath(entry.path, options.displayRoot), reason: entry.reason }));
    const texts: Array<[string, string]> = [];
    for (const found of walked.files) {
      if (!TEXT_EXTENSIONS.has(path.extname(found.file).toLowerCase())) continue;
      try {
        // The checked real path is read, so a link re-pointed after the walk cannot lead elsewhere.
        texts.push([displayPath(found.file, options.displayRoot), readFileSync(found.realPath, 'utf8')]);
      } catch (error) {
        skipped.push({ path: displayPath(found.file, options.displayRoot), reason: `cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})` });
      }
    }
    this.skipped = skipped;
    for (const entry of skipped) options.warn?.(`${entry.path}: skipped: ${entry.reason}`);
    this.index(texts);
  }

  /** Keyword search over texts already in memory (attached documents, transcripts), by source name. */
  static fromTexts(texts: Iterable<readonly [string, string]>): FolderEvidence {
    const evidence = new FolderEvidence([]);
    evidence.index(texts);
    return evidence;
  }

  private index(texts: Iterable<readonly [string, string]>): void {
    for (const [source, text] of texts) {
      this.texts.set(source, text);
      // The heading a paragraph sits under names what it is about ("### bodyLimit" over "Defines the maximum
      // payload…"): its words are indexed with the paragraph, once each, so a question naming the heading finds it.
      let heading: string[] = [];
      for (const paragraph of chunkByParagraph(text)) {
        const terms = new Map<string, number>();
        const words = searchTerms(paragraph.text);
        for (const word of words) terms.set(word, (terms.get(word) ?? 0) + 1);
        const headingLine = /^#{1,6}\s+(.+)$/m.exec(paragraph.text.split('\n')[0] ?? '');
        if (headingLine) heading = searchTerms(headingLine[1]!);
        else for (const word of heading) if (!terms.has(word)) terms.set(word, 1);
        for (const word of terms.keys()) this.documentFrequency.set(word, (this.documentFrequency.get(word) ?? 0) + 1);
        this.chunks.push({
          chunkId: createHash('sha256').update(paragraph.text).digest('hex').slice(0, 16),
          source,
          startLine: paragraph.startLine,
          endLine: paragraph.endLine,
          text: paragraph.text,
          terms,
          length: words.length,
        });
      }
    }
    const total = this.chunks.reduce((sum, chunk) => sum + chunk.length, 0);
    this.averageLength = this.chunks.length ? total / this.chunks.length : 1;
  }

  /** Number of files and chunks read. */
  get size(): { sources: number; chunks: number } {
    return { sources: this.texts.size, chunks: this.chunks.length };
  }

  async search(query: string, options: { limit?: number } = {}): Promise<Passage[]> {
    const queryTerms = [...new Set(searchTerms(query))];
    const count = this.chunks.length;
    const k1 = 1.2;
    const b = 0.75;
    const scored: Passage[] = [];
    for (const chunk of this.chunks) {
      let score = 0;
      for (const term of queryTerms) {
        const frequency = chunk.terms.get(term);
        if (!frequency) continue;
        const documents = this.documentFrequency.get(term) ?? 0;
        const idf = Math.log(1 + (count - documents + 0.5) / (documents + 0.5));
        score += (idf * frequency * (k1 + 1)) / (frequency + k1 * (1 - b + (b * chunk.length) / this.averageLength));
      }
      if (score > 0) {
        scored.push({
          chunkId: chunk.chunkId,
          source: chunk.source,
          location: { startLine: chunk.startLine, endLine: chunk.endLine },
          text: chunk.text,
          score,
        });
      }
    }
    scored.sort((left, right) => right.score - left.score || left.source.localeCompare(right.source) || left.location.startLine - right.location.startLine);
    return scored.slice(0, options.limit ?? 6);
  }

  async read(reference: { chunkId: string } | { source: string; startLine?: number; endLine?: number }): Promise<SourceText | undefined> {
    if ('chunkId' in reference) {
      const chunk = this.chunks.find((candidate) => candidate.chunkId === reference.chunkId);
      return chunk ? { source: chunk.source, text: chunk.text, location: { startLine: chunk.startLine, endLine: chunk.endLine } } : undefined;
    }
    const text = this.texts.get(reference.source);
    if (text === undefined) return undefined;
    const lines = text.split('\n');
    const startLine = Math.max(1, reference.startLine ?? 1);
    const endLine = Math.min(lines.length, reference.endLine ?? lines.length);
    return { source: reference.source, text: lines.slice(startLine - 1, endLine).join('\n'), location: { startLine, endLine } };
  }
}

/** A path relative to the root when it lies inside it, else absolute. */
function displayPath(file: string, root: string | undefined): string {
  if (!root) return file;
  const relative = path.relative(root, file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : path.resolve(file);
}
