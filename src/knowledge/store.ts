/**
 * The SQLite side of the knowledge base (`<dataDir>/kb/kb.sqlite`): documents with their full text, chunks with
 * their line ranges and HNSW labels, an FTS5 index for BM25 keyword search, and the metadata of the index build that
 * matches them. One transaction applies an ingest, so the rows and the recorded index build always change together.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import type { DocumentKind } from './extract.js';
import { IndexBuild } from './index-files.js';

/** A stored document. */
export interface DocumentRow {
  id: number;
  path: string;
  contentHash: string;
  kind: DocumentKind;
  size: number;
  truncated: boolean;
  chunkCount: number;
  ingestedAt: string;
}

/** A stored chunk, with the path of its document. */
export interface ChunkRow {
  id: string;
  documentId: number;
  path: string;
  ordinal: number;
  label: number;
  embedHash: string;
  startLine: number;
  endLine: number;
  heading: string;
  text: string;
}

/** A chunk to insert. */
export type NewChunk = Omit<ChunkRow, 'documentId' | 'path'>;

/** A document to insert, with its chunks. */
export interface NewDocument {
  path: string;
  contentHash: string;
  kind: DocumentKind;
  size: number;
  truncated: boolean;
  text: string;
  chunks: NewChunk[];
}

const schema = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
  id INTEGER PRIMARY KEY,
  path TEXT NOT NULL UNIQUE,
  content_hash TEXT NOT NULL,
  kind TEXT NOT NULL,
  size INTEGER NOT NULL,
  truncated INTEGER NOT NULL,
  text TEXT NOT NULL,
  ingested_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_hash ON documents(content_hash);
CREATE TABLE IF NOT EXISTS chunks (
  rowid INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  ordinal INTEGER NOT NULL,
  label INTEGER NOT NULL UNIQUE,
  embed_hash TEXT NOT NULL,
  start_line INTEGER NOT NULL,
  end_line INTEGER NOT NULL,
  heading TEXT NOT NULL,
  text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_document ON chunks(document_id, ordinal);
CREATE INDEX IF NOT EXISTS chunks_embed_hash ON chunks(embed_hash);
CREATE VIRTUAL TABLE IF NOT EXISTS chunk_fts USING fts5(
  heading, text, content='chunks', content_rowid='rowid', tokenize='porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER IF NOT EXISTS chunks_after_insert AFTER INSERT ON chunks BEGIN
  INSERT INTO chunk_fts(rowid, heading, text) VALUES (new.rowid, new.heading, new.text);
END;
CREATE TRIGGER IF NOT EXISTS chunks_after_delete AFTER DELETE ON chunks BEGIN
  INSERT INTO chunk_fts(chunk_fts, rowid, heading, text) VALUES ('delete', old.rowid, old.heading, old.text);
END;
`;

interface RawDocumentRow {
  id: number;
  path: string;
  content_hash: string;
  kind: DocumentKind;
  size: number;
  truncated: number;
  ingested_at: string;
  chunk_count: number;
}

interface RawChunkRow {
  id: string;
  document_id: number;
  path: string;
  ordinal: number;
  label: number;
  embed_hash: string;
  start_line: number;
  end_line: number;
  heading: string;
  text: string;
}

const documentColumns = `d.id, d.path, d.content_hash, d.kind, d.size, d.truncated, d.ingested_at,
  (SELECT COUNT(*) FROM chunks c WHERE c.document_id = d.id) AS chunk_count`;
const chunkColumns = 'c.id, c.document_id, d.path, c.ordinal, c.label, c.embed_hash, c.start_line, c.end_line, c.heading, c.text';

function toDocument(row: RawDocumentRow): DocumentRow {
  return {
    id: row.id,
    path: row.path,
    contentHash: row.content_hash,
    kind: row.kind,
    size: row.size,
    truncated: row.truncated === 1,
    chunkCount: row.chunk_count,
    ingestedAt: row.ingested_at,
  };
}

function toChunk(row: RawChunkRow): ChunkRow {
  return {
    id: row.id,
    documentId: row.document_id,
    path: row.path,
    ordinal: row.ordinal,
    label: row.label,
    embedHash: row.embed_hash,
    startLine: row.start_line,
    endLine: row.end_line,
    heading: row.heading,
    text: row.text,
  };
}

/** Word tokens of a query as an FTS5 OR-query; stop-word-only queries keep their words. */
export function ftsQuery(query: string): string | undefined {
  const words = [...new Set(query.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])].slice(0, 32);
  if (words.length === 0) return undefined;
  // Tokens are letters and digits only, so quoting them cannot break out of the FTS5 string syntax.
  return words.map((word) => `"${word}"`).join(' OR ');
}

/** Access to `kb.sqlite`. Synchronous, like better-sqlite3 itself. */
export class KnowledgeStore {
  private readonly database: Database.Database;

  constructor(file: string) {
    this.database = new Database(file);
    try {
      this.database.pragma('journal_mode = WAL');
      // The commit of an ingest is what makes a new index build current, so it must be on disk when it returns.
      this.database.pragma('synchronous = FULL');
      this.database.pragma('foreign_keys = ON');
      this.database.exec(schema);
    } catch (error) {
      // A damaged or foreign file: the caller reports it; the handle must not stay open.
      this.database.close();
      throw error;
    }
  }

  close(): void {
    this.database.close();
  }

  /** The index build the rows belong to; `'invalid'` when the record cannot be read. */
  build(): IndexBuild | 'invalid' | undefined {
    const row = this.database.prepare("SELECT value FROM meta WHERE key = 'build'").get() as { value: string } | undefined;
    if (!row) return undefined;
    try {
      const parsed = IndexBuild.safeParse(JSON.parse(row.value));
      return parsed.success ? parsed.data : 'invalid';
    } catch {
      return 'invalid';
    }
  }

  documentByPath(file: string): DocumentRow | undefined {
    const row = this.database.prepare(`SELECT ${documentColumns} FROM documents d WHERE d.path = ?`).get(file) as RawDocumentRow | undefined;
    return row ? toDocument(row) : undefined;
  }

  /** Documents at `root` or anywhere below it. */
  documentsUnder(root: string): DocumentRow[] {
    const prefix = root.endsWith(path.sep) ? root : root + path.sep;
    const rows = this.database
      .prepare(`SELECT ${documentColumns} FROM documents d WHERE d.path = ? OR substr(d.path, 1, ?) = ?`)
      .all(root, prefix.length, prefix) as RawDocumentRow[];
    return rows.map(toDocument);
  }

  allDocuments(): DocumentRow[] {
    return (this.database.prepare(`SELECT ${documentColumns} FROM documents d ORDER BY d.path`).all() as RawDocumentRow[]).map(toDocument);
  }

  documentText(documentId: number): string | undefined {
    const row = this.database.prepare('SELECT text FROM documents WHERE id = ?').get(documentId) as { text: string } | undefined;
    return row?.text;
  }

  chunksOfDocument(documentId: number, fromOrdinal = 0, toOrdinal = Number.MAX_SAFE_INTEGER): ChunkRow[] {
    const rows = this.database
      .prepare(`SELECT ${chunkColumns} FROM chunks c JOIN documents d ON d.id = c.document_id WHERE c.document_id = ? AND c.ordinal BETWEEN ? AND ? ORDER BY c.ordinal`)
      .all(documentId, fromOrdinal, toOrdinal) as RawChunkRow[];
    return rows.map(toChunk);
  }

  chunkById(id: string): ChunkRow | undefined {
    const row = this.database.prepare(`SELECT ${chunkColumns} FROM chunks c JOIN documents d ON d.id = c.document_id WHERE c.id = ?`).get(id) as
      | RawChunkRow
      | undefined;
    return row ? toChunk(row) : undefined;
  }

  /** Chunks by HNSW label; labels without a row (none in a consistent store) are left out. */
  chunksByLabels(labels: readonly number[]): Map<number, ChunkRow> {
    const found = new Map<number, ChunkRow>();
    const statement = this.database.prepare(`SELECT ${chunkColumns} FROM chunks c JOIN documents d ON d.id = c.document_id WHERE c.label IN (SELECT value FROM json_each(?))`);
    for (const row of statement.all(JSON.stringify(labels)) as RawChunkRow[]) found.set(row.label, toChunk(row));
    return found;
  }

  /** One existing label per embedding-input hash, for reusing vectors instead of embedding again. */
  labelsByEmbedHash(hashes: readonly string[]): Map<string, number> {
    const found = new Map<string, number>();
    const statement = this.database.prepare('SELECT embed_hash, MIN(label) AS label FROM chunks WHERE embed_hash IN (SELECT value FROM json_each(?)) GROUP BY embed_hash');
    for (let start = 0; start < hashes.length; start += 5000) {
      const rows = statement.all(JSON.stringify(hashes.slice(start, start + 5000))) as Array<{ embed_hash: string; label: number }>;
      for (const row of rows) found.set(row.embed_hash, row.label);
    }
    return found;
  }

  /** Labels of the chunks of some documents. */
  labelsOfDocuments(documentIds: readonly number[]): number[] {
    const rows = this.database.prepare('SELECT label FROM chunks WHERE document_id IN (SELECT value FROM json_each(?))').all(JSON.stringify(documentIds)) as Array<{
      label: number;
    }>;
    return rows.map((row) => row.label);
  }

  /** BM25 keyword search; labels best first. Headings weigh twice as much as body text. */
  keywordSearch(query: string, limit: number): number[] {
    const match = ftsQuery(query);
    if (!match) return [];
    const rows = this.database
      .prepare('SELECT c.label FROM chunk_fts JOIN chunks c ON c.rowid = chunk_fts.rowid WHERE chunk_fts MATCH ? ORDER BY bm25(chunk_fts, 2.0, 1.0) LIMIT ?')
      .all(match, limit) as Array<{ label: number }>;
    return rows.map((row) => row.label);
  }

  counts(): { documents: number; chunks: number } {
    const row = this.database.prepare('SELECT (SELECT COUNT(*) FROM documents) AS documents, (SELECT COUNT(*) FROM chunks) AS chunks').get() as {
      documents: number;
      chunks: number;
    };
    return row;
  }

  /** Applies one ingest: removals first (a re-added document may reuse chunk ids), then additions, then the build record. */
  apply(change: { removeDocumentIds: readonly number[]; add: readonly NewDocument[]; build: IndexBuild; clearAll?: boolean; ingestedAt: string }): void {
    const removeDocument = this.database.prepare('DELETE FROM documents WHERE id = ?');
    const removeChunks = this.database.prepare('DELETE FROM chunks WHERE document_id = ?');
    const insertDocument = this.database.prepare(
      'INSERT INTO documents (path, content_hash, kind, size, truncated, text, ingested_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const insertChunk = this.database.prepare(
      'INSERT INTO chunks (id, document_id, ordinal, label, embed_hash, start_line, end_line, heading, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const saveBuild = this.database.prepare("INSERT INTO meta (key, value) VALUES ('build', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    this.database.transaction(() => {
      if (change.clearAll) {
        this.database.exec('DELETE FROM chunks; DELETE FROM documents;');
      }
      for (const id of change.removeDocumentIds) {
        removeChunks.run(id);
        removeDocument.run(id);
      }
      for (const document of change.add) {
        const { lastInsertRowid } = insertDocument.run(
          document.path,
          document.contentHash,
          document.kind,
          document.size,
          document.truncated ? 1 : 0,
          document.text,
          change.ingestedAt,
        );
        for (const chunk of document.chunks) {
          insertChunk.run(chunk.id, lastInsertRowid, chunk.ordinal, chunk.label, chunk.embedHash, chunk.startLine, chunk.endLine, chunk.heading, chunk.text);
        }
      }
      saveBuild.run(JSON.stringify(change.build));
    })();
  }
}
