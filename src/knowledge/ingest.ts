/**
 * Building and updating the knowledge base. An ingest reads the given folders and files, works out which documents
 * are new, changed, unchanged or gone, embeds only text whose vector is not already in the index, writes a new index
 * file, and then commits the rows and the new build in one SQLite transaction before pointing the manifest at it.
 * Until that commit nothing the searcher reads has changed, so an ingest that fails or crashes half-way leaves the
 * previous knowledge base as it was.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { InternalError, KnowledgeBaseError } from '../errors.js';
import { chunkText } from './chunker.js';
import { throwIfCancelled, type Embedder } from './embedder.js';
import { extractText, readRaw, type RawDocument } from './extract.js';
import {
  createIndex,
  defaultIndexWriter,
  rebuildCommand,
  type HnswIndex,
  type HnswParameters,
  type IndexBuild,
  type IndexFiles,
  type IndexWriter,
} from './index-files.js';
import { scanPaths } from './scan.js';
import type { KnowledgeStore, NewChunk, NewDocument } from './store.js';

/** Progress of an ingest, reported as it goes. */
export interface IngestProgress {
  phase: 'read' | 'embed' | 'index' | 'done';
  filesDone: number;
  filesTotal: number;
  /** Chunks produced so far from new or changed documents. */
  chunks: number;
  /** Texts embedded so far. */
  embedded: number;
  /** Chunks (read phase) or embeddings (embed phase) per second so far. */
  rate: number;
}

/** Options of an ingest. */
export interface IngestOptions {
  /** Drop everything and build from these paths alone; needed after changing the embedding model. */
  rebuild?: boolean;
  /** Bytes read at most from one file; larger files are cut off with a warning. Default 5 MB. */
  maxFileBytes?: number;
  /** Texts per embedding call. Default 64. */
  batchSize?: number;
  onProgress?: (progress: IngestProgress) => void;
  signal?: AbortSignal;
  /** Resolves relative paths. Default `process.cwd()`. */
  cwd?: string;
  /**
   * Follow symbolic links whose real path lies outside the given paths (`knowledge.allowOutsideRoots`). Default false:
   * such links are skipped, each counted in `skipped` with a warning that names it.
   */
  allowOutsideRoots?: boolean;
  /** Writes the index file; tests inject a failing one to simulate a crash. */
  writeIndex?: IndexWriter;
  now?: () => number;
}

/** What an ingest did. */
export interface IngestSummary {
  /** Documents read successfully (new, changed, unchanged and duplicates). */
  files: number;
  skipped: number;
  truncated: number;
  duplicates: number;
  /** Files in the folders that are not documents by extension. */
  ignored: number;
  filesRemoved: number;
  chunksAdded: number;
  chunksRemoved: number;
  chunksUnchanged: number;
  /** Texts sent to the embedder. */
  embedded: number;
  warnings: string[];
  durationMs: number;
}

/** What the ingest works with. */
export interface IngestContext {
  store: KnowledgeStore;
  files: IndexFiles;
  embedder: Embedder;
  parameters: HnswParameters;
  /** Shows a path in messages (relative to the working directory when possible). */
  display: (file: string) => string;
  warn?: (message: string) => void;
}

const defaultMaxFileBytes = 5 * 1024 * 1024;

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Whitespace-insensitive form of a text, so re-wrapping a paragraph does not count as a change. */
function normalised(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** The text embedded for a chunk: its heading path gives a passage the context its own words may lack. */
export function embeddingInput(chunk: { heading: string; text: string }): string {
  return chunk.heading && !chunk.text.trimStart().startsWith('#') ? `${chunk.heading}\n\n${chunk.text}` : chunk.text;
}

type PendingChunk = NewChunk & { input: string };
interface PendingDocument extends Omit<NewDocument, 'chunks'> {
  chunks: PendingChunk[];
}

/** Runs an ingest; returns the new index and build when one was written (undefined when nothing changed). */
export async function runIngest(
  context: IngestContext,
  paths: readonly string[],
  options: IngestOptions = {},
): Promise<{ summary: IngestSummary; index?: HnswIndex; build?: IndexBuild }> {
  const now = options.now ?? Date.now;
  const started = now();
  const maxFileBytes = options.maxFileBytes ?? defaultMaxFileBytes;
  const { store, files, embedder, display } = context;
  const summary: IngestSummary = {
    files: 0, skipped: 0, truncated: 0, duplicates: 0, ignored: 0, filesRemoved: 0,
    chunksAdded: 0, chunksRemoved: 0, chunksUnchanged: 0, embedded: 0, warnings: [], durationMs: 0,
  };
  const warn = (message: string): void => {
    summary.warnings.push(message);
    context.warn?.(message);
  };
  const rebuild = options.rebuild === true;
  const recorded = store.build();
  if (recorded === 'invalid' && !rebuild) {
    throw new KnowledgeBaseError('KB_INDEX_CORRUPT', 'the knowledge base build record is unreadable', { hint: `rebuild it with \`${rebuildCommand(paths)}\`` });
  }
  const previous = rebuild || recorded === 'invalid' ? undefined : recorded;
  if (previous && (previous.embedder !== embedder.id || previous.dimensions !== embedder.dimensions)) {
    throw new KnowledgeBaseError(
      'KB_EMBEDDING_MISMATCH',
      `the knowledge base was built with embedder ${previous.embedder} (${previous.dimensions} dimensions), not ${embedder.id} (${embedder.dimensions} dimensions)`,
      { hint: `rebuild it with \`${rebuildCommand([...new Set([...previous.roots, ...paths.map((given) => path.resolve(options.cwd ?? process.cwd(), given))])])}\`` },
    );
  }

  const scan = await scanPaths(paths, options.cwd ?? process.cwd(), options.allowOutsideRoots ? { allowOutsideRoots: true } : {});
  summary.ignored = scan.ignored;
  scan.warnings.forEach(warn);
  for (const entry of scan.skipped) {
    summary.skipped += 1;
    warn(`${display(entry.path)}: skipped: ${entry.reason}`);
  }
  const progress = (phase: IngestProgress['phase'], filesDone: number, chunks: number): void => {
    const seconds = Math.max(0.001, (now() - started) / 1000);
    options.onProgress?.({ phase, filesDone, filesTotal: scan.candidates.length, chunks, embedded: summary.embedded, rate: (phase === 'embed' ? summary.embedded : chunks) / seconds });
  };

  // Which stored documents this ingest speaks for, and the content that stays outside it.
  const inScope = new Map<string, { id: number; contentHash: string; chunkCount: number }>();
  const keptHashes = new Map<string, string>();
  if (!rebuild) {
    for (const scope of scan.scopes) for (const document of store.documentsUnder(scope)) inScope.set(document.path, document);
    for (const document of store.allDocuments()) if (!inScope.has(document.path)) keptHashes.set(document.contentHash, document.path);
  }
  const unchanged = new Set<string>();
  const raws: RawDocument[] = [];
  const rawPaths = new Map<RawDocument, string>();
  for (const [position, candidate] of scan.candidates.entries()) {
    throwIfCancelled(options.signal, 'ingest');
    // The checked real path is read, not the link, so a link re-pointed after the scan cannot lead elsewhere.
    const raw = await readRaw(candidate.realPath ?? candidate.file, candidate.kind, maxFileBytes);
    if ('skipped' in raw) {
      summary.skipped += 1;
      warn(`${display(candidate.file)}: skipped: ${raw.skipped}`);
      continue;
    }
    summary.files += 1;
    if (raw.truncated) {
      summary.truncated += 1;
      warn(`${display(candidate.file)}: truncated to the first ${maxFileBytes} bytes of ${raw.size}`);
    }
    const stored = inScope.get(candidate.file);
    if (stored && stored.contentHash === raw.contentHash) {
      unchanged.add(candidate.file);
      keptHashes.set(raw.contentHash, candidate.file);
      summary.chunksUnchanged += stored.chunkCount;
    } else {
      raws.push(raw);
      rawPaths.set(raw, candidate.file);
    }
    progress('read', position + 1, 0);
  }

  const pending: PendingDocument[] = [];
  let producedChunks = 0;
  for (const raw of raws) {
    const file = rawPaths.get(raw) ?? '';
    const duplicateOf = keptHashes.get(raw.contentHash);
    if (duplicateOf !== undefined) {
      summary.duplicates += 1;
      warn(`${display(file)}: same content as ${display(duplicateOf)}; stored once`);
      continue;
    }
    const extracted = await extractText(raw, maxFileBytes);
    if ('skipped' in extracted) {
      summary.skipped += 1;
      summary.files -= 1;
      warn(`${display(file)}: skipped: ${extracted.skipped}`);
      continue;
    }
    if (extracted.truncated && !raw.truncated) {
      summary.truncated += 1;
      warn(`${display(file)}: text truncated to the first ${maxFileBytes} characters`);
    }
    keptHashes.set(raw.contentHash, file);
    const chunks = chunkText(extracted.text).map((chunk) => {
      const input = embeddingInput(chunk);
      return {
        id: sha256(`${raw.contentHash}\n${chunk.ordinal}\n${normalised(chunk.text)}`).slice(0, 24),
        ordinal: chunk.ordinal,
        embedHash: sha256(normalised(input)),
        startLine: chunk.startLine,
        endLine: chunk.endLine,
        heading: chunk.heading,
        text: chunk.text,
        label: -1,
        input,
      };
    });
    producedChunks += chunks.length;
    pending.push({ path: file, contentHash: raw.contentHash, kind: raw.kind, size: raw.size, truncated: extracted.truncated, text: extracted.text, chunks });
    progress('read', scan.candidates.length, producedChunks);
  }

  const removed = [...inScope.entries()].filter(([file]) => !unchanged.has(file));
  const replaced = new Set(pending.map((document) => document.path));
  summary.filesRemoved = removed.filter(([file]) => !replaced.has(file)).length;
  summary.chunksRemoved = removed.reduce((total, [, document]) => total + document.chunkCount, 0);
  summary.chunksAdded = producedChunks;
  if (previous && !rebuild && removed.length === 0 && pending.length === 0) {
    // Nothing to write, but a damaged index must not pass for an up-to-date one; loading it names the problem.
    if (!(await files.matches(previous))) await files.loadIndex(previous, { verify: true });
    summary.durationMs = now() - started;
    progress('done', scan.candidates.length, 0);
    return { summary };
  }

  // Vectors: reuse what the index already has for the same input text (read before anything is deleted), embed the
  // rest once each, and add each batch to the index as it arrives so vectors never pile up in memory.
  const index = previous ? await files.loadIndex(previous, { verify: true }) : createIndex(embedder.dimensions, producedChunks * 1.25, context.parameters);
  const allChunks = pending.flatMap((document) => document.chunks);
  const byHash = new Map<string, PendingChunk[]>();
  for (const chunk of allChunks) byHash.set(chunk.embedHash, [...(byHash.get(chunk.embedHash) ?? []), chunk]);
  const reusable = previous ? store.labelsByEmbedHash([...byHash.keys()]) : new Map<string, number>();
  const reused = [...reusable].map(([hash, label]) => [hash, index.getPoint(label)] as const);
  const removedLabels = store.labelsOfDocuments(removed.map(([, document]) => document.id));
  for (const label of removedLabels) index.markDelete(label);
  const needed = index.getCurrentCount() + allChunks.length;
  if (needed > index.getMaxElements()) index.resizeIndex(Math.max(needed, Math.ceil(index.getMaxElements() * 1.5)));
  let nextLabel = previous?.nextLabel ?? 0;
  const addVector = (hash: string, vector: number[]): void => {
    for (const chunk of byHash.get(hash) ?? []) {
      chunk.label = nextLabel;
      nextLabel += 1;
      index.addPoint(vectorWithMass(vector), chunk.label, true);
    }
  };
  for (const [hash, vector] of reused) addVector(hash, vector);
  const embedQueue = [...byHash.entries()].filter(([hash]) => !reusable.has(hash)).map(([hash, chunks]) => [hash, chunks[0]?.input ?? ''] as const);
  const batchSize = options.batchSize ?? 64;
  for (let start = 0; start < embedQueue.length; start += batchSize) {
    throwIfCancelled(options.signal, 'ingest');
    const batch = embedQueue.slice(start, start + batchSize);
    const embedded = await embedder.embed(batch.map(([, input]) => input), options.signal);
    if (embedded.length !== batch.length) throw new InternalError(`embedder ${embedder.id} returned ${embedded.length} vectors for ${batch.length} texts`);
    batch.forEach(([hash], position) => addVector(hash, Array.from(embedded[position] ?? [])));
    summary.embedded += batch.length;
    progress('embed', scan.candidates.length, producedChunks);
  }
  throwIfCancelled(options.signal, 'ingest');
  const documents: NewDocument[] = pending.map((document) => ({ ...document, chunks: document.chunks.map(({ input: _input, ...chunk }) => chunk) }));

  const manifest = await files.readManifest();
  const generation = Math.max(typeof recorded === 'object' ? recorded.generation : 0, typeof manifest === 'object' ? manifest.generation : 0) + 1;
  const saved = await files.saveIndex(index, generation, options.writeIndex ?? defaultIndexWriter);
  const roots = [...new Set([...(previous?.roots ?? []), ...scan.scopes])];
  const build: IndexBuild = {
    generation,
    ...saved,
    embedder: embedder.id,
    dimensions: embedder.dimensions,
    count: (previous?.count ?? 0) - removedLabels.length + allChunks.length,
    elements: index.getCurrentCount(),
    nextLabel,
    builtAt: new Date(now()).toISOString(),
    roots,
    m: previous?.m ?? context.parameters.m,
    efConstruction: previous?.efConstruction ?? context.parameters.efConstruction,
  };
  store.apply({ removeDocumentIds: removed.map(([, document]) => document.id), add: documents, build, clearAll: rebuild, ingestedAt: build.builtAt });
  await files.writeManifest(build);
  await files.removeStale(build.indexFile);
  summary.durationMs = now() - started;
  progress('done', scan.candidates.length, producedChunks);
  return { summary, index, build };
}

/** hnswlib's cosine space divides by the norm; a text without words gets a fixed direction instead of NaNs. */
function vectorWithMass(vector: number[]): number[] {
  if (vector.some((value) => value !== 0)) return vector;
  const fallback = new Array<number>(vector.length).fill(0);
  fallback[0] = 1;
  return fallback;
}
