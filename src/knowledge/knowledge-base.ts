/**
 * The knowledge base the Researcher searches: chunks of local documents in SQLite, their vectors in an hnswlib index,
 * searched by vector similarity and by BM25 keywords at once and fused with reciprocal rank fusion. Lives in
 * `<dataDir>/kb/`. Implements {@link EvidenceSource}, so roles and tools see it like any other evidence source.
 */
import { ensureDirectory } from '../data-dir.js';
import { inspectDataFile, type DataFile } from '../data-files.js';
import path from 'node:path';
import { KnowledgeBaseError } from '../errors.js';
import { throwIfCancelled, type Embedder } from './embedder.js';
import { reciprocalRankFusion } from './fusion.js';
import { defaultHnswParameters, IndexFiles, rebuildCommand, searchEf, type HnswIndex, type HnswParameters, type IndexBuild } from './index-files.js';
import { runIngest, type IngestOptions, type IngestSummary } from './ingest.js';
import { KnowledgeStore, type ChunkRow } from './store.js';
import type { EvidenceSource, Passage, SourceText } from './types.js';

/** The logging the knowledge base does; a pino logger fits. */
export interface KnowledgeLogger {
  info(object: Record<string, unknown>, message?: string): void;
  warn(object: Record<string, unknown>, message?: string): void;
}

/** Options of {@link openKnowledgeBase}. */
export interface KnowledgeBaseOptions {
  /** Baton's data directory; the knowledge base owns `<dataDir>/kb/`. */
  dataDir: string;
  embedder: Embedder;
  logger?: KnowledgeLogger;
  /** Sources are shown relative to this folder when inside it. Default `process.cwd()`. */
  displayRoot?: string;
  /** Graph parameters for a new index (an existing one keeps its own). */
  hnsw?: HnswParameters;
  /** Check the index file's checksum before loading it. Default true. */
  verifyChecksum?: boolean;
}

/** Size and provenance of a knowledge base. */
export interface KnowledgeBaseStats {
  sources: number;
  chunks: number;
  /** The embedder that built the index; undefined before the first ingest. */
  embedder: string | undefined;
  dimensions: number | undefined;
  indexBytes: number;
  builtAt: string | undefined;
}

/** One ingested document. */
export interface SourceInfo {
  /** As shown in passages (relative when possible). */
  source: string;
  /** Absolute path. */
  path: string;
  kind: string;
  chunks: number;
  bytes: number;
  truncated: boolean;
  ingestedAt: string;
}

/** Candidates each ranking contributes before fusion, per passage asked for. */
const candidatesPerResult = 5;

/** Hybrid (HNSW + BM25) search over ingested documents. Open it with {@link openKnowledgeBase}. */
export class KnowledgeBase implements EvidenceSource {
  readonly directory: string;
  private readonly store: KnowledgeStore;
  private readonly files: IndexFiles;
  private readonly options: KnowledgeBaseOptions;
  private readonly displayRoot: string;
  private loaded: { build: IndexBuild; index: HnswIndex } | undefined;
  private loading: Promise<{ build: IndexBuild; index: HnswIndex }> | undefined;
  private ingesting: Promise<unknown> = Promise.resolve();

  constructor(options: KnowledgeBaseOptions) {
    this.options = options;
    this.directory = path.join(options.dataDir, 'kb');
    ensureDirectory(this.directory, 'knowledge base folder');
    const databaseFile = path.join(this.directory, 'kb.sqlite');
    this.files = new IndexFiles(this.directory);
    const database: DataFile = {
      file: databaseFile,
      holds: "the knowledge base's SQLite database",
      format: 'sqlite',
      hint: `move ${this.directory} aside and build it again with \`baton ingest --rebuild <paths>\` (or use another --data-dir)`,
    };
    const manifest: DataFile = {
      file: this.files.manifestPath,
      holds: "the knowledge base's manifest, a JSON file",
      format: 'text',
      hint: `move ${this.files.manifestPath} away (Baton writes it again from the database), or rebuild with \`baton ingest --rebuild <paths>\``,
    };
    const unreadable = (dataFile: DataFile, problem: string, cause?: unknown): KnowledgeBaseError =>
      new KnowledgeBaseError('KB_INDEX_CORRUPT', `${dataFile.file} cannot be used: ${problem}; expected ${dataFile.holds}`, {
        ...(cause === undefined ? {} : { cause }),
        ...(dataFile.hint === undefined ? {} : { hint: dataFile.hint }),
      });
    // Checked before opening, so a folder or foreign bytes are named as such rather than as SQLite's "unable to open".
    for (const dataFile of [database, manifest]) {
      const problem = inspectDataFile(dataFile);
      if (problem !== undefined) throw unreadable(dataFile, problem);
    }
    try {
      this.store = new KnowledgeStore(databaseFile);
    } catch (error) {
      throw unreadable(database, error instanceof Error ? error.message : String(error), error);
    }
    this.displayRoot = path.resolve(options.displayRoot ?? process.cwd());
  }

  /** A path as shown to people and models: relative to the display root when inside it. */
  display(file: string): string {
    const relative = path.relative(this.displayRoot, file);
    return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
  }

  /** Loads the current index, throwing the typed error that says what is wrong and how to fix it. */
  async load(): Promise<void> {
    await this.current();
  }

  private async current(): Promise<{ build: IndexBuild; index: HnswIndex }> {
    const recorded = this.store.build();
    if (recorded === undefined) {
      throw new KnowledgeBaseError('KB_INDEX_MISSING', `there is no knowledge base in ${this.directory} yet`, {
        hint: 'build one with `baton ingest <paths>`',
      });
    }
    if (recorded === 'invalid') {
      throw new KnowledgeBaseError('KB_INDEX_CORRUPT', `the build record of the knowledge base in ${this.directory} is unreadable`, {
        hint: `rebuild it with \`${rebuildCommand([])}\``,
      });
    }
    const { embedder } = this.options;
    if (recorded.embedder !== embedder.id || recorded.dimensions !== embedder.dimensions) {
      throw new KnowledgeBaseError(
        'KB_EMBEDDING_MISMATCH',
        `the knowledge base was built with embedder ${recorded.embedder} (${recorded.dimensions} dimensions) but is searched with ${embedder.id} (${embedder.dimensions} dimensions)`,
        { hint: `configure the embedder it was built with, or rebuild it with \`${rebuildCommand(recorded.roots)}\`` },
      );
    }
    if (this.loaded && this.loaded.build.generation === recorded.generation && this.loaded.build.indexFile === recorded.indexFile) return this.loaded;
    this.loading ??= this.loadBuild(recorded).finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async loadBuild(recorded: IndexBuild): Promise<{ build: IndexBuild; index: HnswIndex }> {
    const manifest = await this.files.readManifest();
    const inStep = typeof manifest === 'object' && manifest.generation === recorded.generation && manifest.indexFile === recorded.indexFile;
    // The store commits before the manifest is replaced; a crash in between leaves the manifest one build behind.
    if (!inStep && (await this.files.matches(recorded))) {
      await this.files.writeManifest(recorded).catch((error: unknown) => {
        this.options.logger?.warn({ error: String(error) }, 'could not bring the knowledge base manifest up to date');
      });
    }
    const index = await this.files.loadIndex(recorded, { verify: this.options.verifyChecksum ?? true });
    this.loaded = { build: recorded, index };
    return this.loaded;
  }

  async search(query: string, options: { limit?: number; signal?: AbortSignal } = {}): Promise<Passage[]> {
    const limit = Math.max(1, options.limit ?? 8);
    const { build, index } = await this.current();
    throwIfCancelled(options.signal, 'search');
    const candidates = limit * candidatesPerResult;
    const rankings: number[][] = [];
    const k = Math.min(candidates, build.count);
    const [vector] = await this.options.embedder.embed([query], options.signal);
    if (k > 0 && vector && vector.some((value) => value !== 0)) {
      index.setEf(searchEf(k));
      rankings.push(nearestLabels(index, Array.from(vector), k));
    }
    rankings.push(this.store.keywordSearch(query, candidates));
    const fused = reciprocalRankFusion(rankings).slice(0, limit);
    const rows = this.store.chunksByLabels(fused.map((entry) => entry.id));
    const passages: Passage[] = [];
    for (const entry of fused) {
      const row = rows.get(entry.id);
      if (row) passages.push(this.passage(row, entry.score));
    }
    return passages;
  }

  private passage(row: ChunkRow, score: number): Passage {
    return { chunkId: row.id, source: this.display(row.path), location: { startLine: row.startLine, endLine: row.endLine }, text: row.text, score };
  }

  /**
   * `{ chunkId }`: the chunk with its neighbouring chunks (`context` on each side, default 1) as one range of lines.
   * `{ source, startLine?, endLine? }`: those lines of the stored document text (all of it by default), clamped to
   * the document. `undefined` when the chunk or source is unknown.
   */
  async read(reference: { chunkId: string; context?: number } | { source: string; startLine?: number; endLine?: number }): Promise<SourceText | undefined> {
    if ('chunkId' in reference) {
      const chunk = this.store.chunkById(reference.chunkId);
      if (!chunk) return undefined;
      const context = Math.max(0, reference.context ?? 1);
      const around = this.store.chunksOfDocument(chunk.documentId, chunk.ordinal - context, chunk.ordinal + context);
      const startLine = Math.min(...around.map((row) => row.startLine));
      const endLine = Math.max(...around.map((row) => row.endLine));
      return this.lines(chunk.documentId, chunk.path, startLine, endLine);
    }
    const document = this.store.documentByPath(path.resolve(this.displayRoot, reference.source)) ?? this.store.documentByPath(reference.source);
    if (!document) return undefined;
    return this.lines(document.id, document.path, reference.startLine ?? 1, reference.endLine ?? Number.MAX_SAFE_INTEGER);
  }

  private lines(documentId: number, file: string, startLine: number, endLine: number): SourceText | undefined {
    const text = this.store.documentText(documentId);
    if (text === undefined) return undefined;
    const lines = text.split('\n');
    const start = Math.min(Math.max(1, startLine), lines.length);
    const end = Math.min(Math.max(start, endLine), lines.length);
    return { source: this.display(file), text: lines.slice(start - 1, end).join('\n'), location: { startLine: start, endLine: end } };
  }

  /** Builds or updates the knowledge base from folders and files. Ingests run one at a time. */
  async ingest(paths: readonly string[], options: IngestOptions = {}): Promise<IngestSummary> {
    const run = this.ingesting.then(async () => {
      const result = await runIngest(
        {
          store: this.store,
          files: this.files,
          embedder: this.options.embedder,
          parameters: this.options.hnsw ?? defaultHnswParameters,
          display: (file) => this.display(file),
          warn: (message) => this.options.logger?.warn({ directory: this.directory }, message),
        },
        paths,
        { cwd: this.displayRoot, ...options },
      );
      if (result.index && result.build) this.loaded = { build: result.build, index: result.index };
      const { warnings: _warnings, ...counts } = result.summary;
      this.options.logger?.info({ directory: this.directory, ...counts }, 'knowledge base ingest finished');
      return result.summary;
    });
    this.ingesting = run.catch(() => undefined);
    return run;
  }

  stats(): KnowledgeBaseStats {
    const counts = this.store.counts();
    const build = this.store.build();
    const known = typeof build === 'object' ? build : undefined;
    return {
      sources: counts.documents,
      chunks: counts.chunks,
      embedder: known?.embedder,
      dimensions: known?.dimensions,
      indexBytes: known?.bytes ?? 0,
      builtAt: known?.builtAt,
    };
  }

  listSources(): SourceInfo[] {
    return this.store.allDocuments().map((document) => ({
      source: this.display(document.path),
      path: document.path,
      kind: document.kind,
      chunks: document.chunkCount,
      bytes: document.size,
      truncated: document.truncated,
      ingestedAt: document.ingestedAt,
    }));
  }

  close(): void {
    this.store.close();
  }
}

/** kNN labels, nearest first. hnswlib refuses k larger than what it can reach, so retry smaller rather than fail. */
function nearestLabels(index: HnswIndex, vector: number[], k: number): number[] {
  for (let wanted = k; wanted >= 1; wanted = Math.floor(wanted / 2)) {
    try {
      return index.searchKnn(vector, wanted).neighbors;
    } catch {
      // fewer than `wanted` live neighbours reachable (many deletions); try fewer
    }
  }
  return [];
}

/** Opens (creating if needed) the knowledge base in `<dataDir>/kb/`. The index itself is loaded on first search. */
export async function openKnowledgeBase(options: KnowledgeBaseOptions): Promise<KnowledgeBase> {
  return new KnowledgeBase(options);
}
