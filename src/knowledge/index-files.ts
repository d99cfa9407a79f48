/**
 * The vector index on disk: `index-<generation>.hnsw` files (hnswlib, cosine space) and `manifest.json`, which names
 * the current one with the embedder that built it. A new build is written under a temporary name, flushed to disk and
 * renamed into place, and the manifest is replaced the same way, so a crash at any point leaves a complete index that
 * the manifest (or the store's copy of the build record) points at.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type hnswlib from 'hnswlib-node';
import { z } from 'zod';
import { KnowledgeBaseError } from '../errors.js';

/** A hnswlib index, as the knowledge base uses it. */
export type HnswIndex = InstanceType<typeof hnswlib.HierarchicalNSW>;

const require = createRequire(import.meta.url);
/**
 * The hnswlib native module, loaded when an index is first created or read: `baton kb` and the commands that only
 * open the knowledge base's SQLite store do not need it. A CommonJS addon, so `require` returns the one instance.
 */
function hnsw(): typeof hnswlib {
  return require('hnswlib-node') as typeof hnswlib;
}

/** One build of the vector index. Stored in the manifest and, in the same shape, in the SQLite store. */
export const IndexBuild = z
  .object({
    generation: z.number().int().nonnegative(),
    indexFile: z.string().regex(/^index-\d+\.hnsw$/),
    embedder: z.string().min(1),
    dimensions: z.number().int().positive(),
    /** Live vectors (chunks). */
    count: z.number().int().nonnegative(),
    /** Elements in the file, including ones marked deleted and awaiting reuse. */
    elements: z.number().int().nonnegative(),
    nextLabel: z.number().int().nonnegative(),
    builtAt: z.string(),
    /** The paths given to ingest, for the rebuild command in error messages. */
    roots: z.array(z.string()),
    bytes: z.number().int().nonnegative(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    m: z.number().int().positive(),
    efConstruction: z.number().int().positive(),
  })
  .strict();
export type IndexBuild = z.infer<typeof IndexBuild>;

/** `manifest.json`: the current build, versioned so a future layout can be told apart. */
export const Manifest = IndexBuild.extend({ version: z.literal(1) }).strict();
export type Manifest = z.infer<typeof Manifest>;

/**
 * Graph parameters of hnswlib. Measured with `bench/retrieval.ts` (100 000 chunks, 512-dim local-hash vectors, two
 * cores): M=16/efConstruction=100 builds in about 45 s and reaches recall@10 ≈ 0.96 at ef=256 in about 1 ms; M=32 and
 * efConstruction=200 gain little recall at that ef for three times the build time.
 */
export interface HnswParameters {
  m: number;
  efConstruction: number;
}
/** Parameters of new indexes; an existing index keeps the ones it was built with. */
export const defaultHnswParameters: HnswParameters = { m: 16, efConstruction: 100 };

/** Smallest search breadth used: below it recall@10 drops under 0.95 at 100 000 chunks (see `bench/retrieval.ts`). */
export const minimumSearchEf = 256;

/** The search-time breadth for k neighbours. hnswlib does not store ef in the file, so it is set after every load. */
export function searchEf(k: number): number {
  return Math.max(minimumSearchEf, 2 * k);
}

/** Writes an index to a file. Injectable so tests can simulate a crash in the middle of a write. */
export type IndexWriter = (index: HnswIndex, file: string) => Promise<void>;
/** hnswlib's own writer. */
export const defaultIndexWriter: IndexWriter = async (index, file) => {
  await index.writeIndex(file);
};

/** A new, empty index. */
export function createIndex(dimensions: number, capacity: number, parameters: HnswParameters): HnswIndex {
  const index = new (hnsw().HierarchicalNSW)('cosine', dimensions);
  index.initIndex({ maxElements: Math.max(16, capacity), m: parameters.m, efConstruction: parameters.efConstruction, randomSeed: 100, allowReplaceDeleted: true });
  index.setEf(searchEf(10));
  return index;
}

/** The command that rebuilds the knowledge base from the paths it was built from. */
export function rebuildCommand(roots: readonly string[]): string {
  const shown = roots.map((root) => (/^[\w./@:-]+$/.test(root) ? root : `'${root.replace(/'/g, "'\\''")}'`));
  return `baton ingest --rebuild ${shown.length > 0 ? shown.join(' ') : '<paths>'}`;
}

async function syncDirectory(directory: string): Promise<void> {
  try {
    const handle = await open(directory, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic there.
  }
}

async function syncFile(file: string): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The index files of one knowledge base directory. */
export class IndexFiles {
  readonly directory: string;

  constructor(directory: string) {
    this.directory = directory;
  }

  get manifestPath(): string {
    return path.join(this.directory, 'manifest.json');
  }

  /** The current manifest; `'invalid'` when the file exists but is not a manifest. */
  async readManifest(): Promise<Manifest | 'invalid' | undefined> {
    let text: string;
    try {
      text = await readFile(this.manifestPath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      // A folder or an unreadable file: the manifest is written again from the store's build record once moved away.
      throw new KnowledgeBaseError('KB_INDEX_CORRUPT', `the knowledge base manifest ${this.manifestPath} cannot be read: ${(error as NodeJS.ErrnoException).code === 'EISDIR' ? 'it is a folder, not a file' : String(error)}`, {
        cause: error,
        hint: `move ${this.manifestPath} away (Baton writes it again), or rebuild with \`${rebuildCommand([])}\``,
      });
    }
    try {
      const parsed = Manifest.safeParse(JSON.parse(text));
      return parsed.success ? parsed.data : 'invalid';
    } catch {
      return 'invalid';
    }
  }

  /** Replaces the manifest atomically. */
  async writeManifest(build: IndexBuild): Promise<void> {
    const manifest: Manifest = { version: 1, ...build };
    const temporary = `${this.manifestPath}.${process.pid}.tmp`;
    const handle = await open(temporary, 'w');
    try {
      await handle.writeFile(`${JSON.stringify(manifest, null, 2)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, this.manifestPath);
    await syncDirectory(this.directory);
  }

  /** Writes an index as generation `generation`: temporary file, fsync, rename. Cleans up after a failed write. */
  async saveIndex(index: HnswIndex, generation: number, writer: IndexWriter): Promise<{ indexFile: string; bytes: number; sha256: string }> {
    const indexFile = `index-${generation}.hnsw`;
    const finalPath = path.join(this.directory, indexFile);
    const temporary = `${finalPath}.${process.pid}.tmp`;
    try {
      await writer(index, temporary);
      await syncFile(temporary);
      const [{ size }, sha256] = await Promise.all([stat(temporary), fileSha256(temporary)]);
      await rename(temporary, finalPath);
      await syncDirectory(this.directory);
      return { indexFile, bytes: size, sha256 };
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }

  /** Whether a build's index file is present with the recorded size and checksum. */
  async matches(build: IndexBuild): Promise<boolean> {
    const file = path.join(this.directory, build.indexFile);
    try {
      return (await stat(file)).size === build.bytes && (await fileSha256(file)) === build.sha256;
    } catch {
      return false;
    }
  }

  /**
   * Loads a build's index, checking size and checksum first: hnswlib trusts its file, and a damaged one could make it
   * read out of bounds rather than fail. Throws KB_INDEX_MISSING or KB_INDEX_CORRUPT with the rebuild command.
   */
  async loadIndex(build: IndexBuild, options: { verify: boolean }): Promise<HnswIndex> {
    const file = path.join(this.directory, build.indexFile);
    const rebuild = rebuildCommand(build.roots);
    let size: number;
    try {
      const found = await stat(file);
      // A folder's size would otherwise be reported as a size mismatch.
      size = found.isFile() ? found.size : -1;
    } catch {
      throw new KnowledgeBaseError('KB_INDEX_MISSING', `the knowledge base index ${file} is missing`, { hint: `rebuild it with \`${rebuild}\`` });
    }
    const corrupt = (detail: string, cause?: unknown): KnowledgeBaseError =>
      new KnowledgeBaseError('KB_INDEX_CORRUPT', `the knowledge base index ${file} is corrupt: ${detail}`, {
        hint: `rebuild it with \`${rebuild}\``,
        ...(cause === undefined ? {} : { cause }),
      });
    if (size === -1) throw corrupt('it is not a file');
    if (size !== build.bytes) throw corrupt(`it has ${size} bytes, the manifest says ${build.bytes}`);
    if (options.verify && (await fileSha256(file)) !== build.sha256) throw corrupt('its checksum does not match the manifest');
    const index = new (hnsw().HierarchicalNSW)('cosine', build.dimensions);
    try {
      await index.readIndex(file, true);
    } catch (error) {
      throw corrupt(error instanceof Error ? error.message : String(error), error);
    }
    if (index.getCurrentCount() !== build.elements) throw corrupt(`it holds ${index.getCurrentCount()} vectors, the manifest says ${build.elements}`);
    index.setEf(searchEf(10));
    return index;
  }

  /** Deletes index files and leftovers other than `keep`. */
  async removeStale(keep: string): Promise<void> {
    const names = await readdir(this.directory).catch(() => [] as string[]);
    await Promise.all(
      names
        .filter((name) => name !== keep && /^(index-\d+\.hnsw(\..*\.tmp)?|manifest\.json\..*\.tmp)$/.test(name))
        .map((name) => rm(path.join(this.directory, name), { force: true })),
    );
  }
}
