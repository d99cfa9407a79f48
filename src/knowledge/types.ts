/**
 * What the Researcher reads evidence from. The folder keyword search (offline default) and the HNSW + BM25 knowledge
 * base both implement {@link EvidenceSource}; roles and tools only see this interface.
 */

/** A passage of a source that a search returned. */
export interface Passage {
  /** Stable id of the chunk (content hash based), usable with `read_source`. */
  chunkId: string;
  /** Where the text comes from: a file path (relative to the working directory when possible) or a URL. */
  source: string;
  /** 1-based line range of the passage in its source. */
  location: { startLine: number; endLine: number };
  text: string;
  /** Higher is better; only comparable within one search. */
  score: number;
}

/** The full text of a source, or a range of it. */
export interface SourceText {
  source: string;
  text: string;
  location: { startLine: number; endLine: number };
}

export interface EvidenceSource {
  /** Searches for passages that answer a query, best first. */
  search(query: string, options?: { limit?: number; signal?: AbortSignal }): Promise<Passage[]>;
  /** The text around a chunk, or lines of a source; `undefined` when unknown. */
  read(reference: { chunkId: string } | { source: string; startLine?: number; endLine?: number }): Promise<SourceText | undefined>;
}
