import { readFileSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KnowledgeBaseError } from '../../src/errors.js';
import { LocalHashEmbedder } from '../../src/knowledge/embedder.js';
import type { IngestProgress } from '../../src/knowledge/ingest.js';
import { openKnowledgeBase, type KnowledgeBase } from '../../src/knowledge/knowledge-base.js';
import {
  CountingEmbedder,
  gardeningText,
  minimalPdf,
  temporaryDirectory,
  tidesMarkdown,
  volcanoHtml,
  writeTree,
} from './fixtures.js';

let workspace: { directory: string; cleanup: () => void };
let docs: string;
let dataDir: string;
const open: KnowledgeBase[] = [];

async function openKb(embedder = new CountingEmbedder()): Promise<{ kb: KnowledgeBase; embedder: CountingEmbedder }> {
  const counting = embedder instanceof CountingEmbedder ? embedder : new CountingEmbedder(embedder);
  const kb = await openKnowledgeBase({ dataDir, embedder: counting, displayRoot: workspace.directory });
  open.push(kb);
  return { kb, embedder: counting };
}

beforeEach(() => {
  workspace = temporaryDirectory('kb');
  docs = path.join(workspace.directory, 'docs');
  dataDir = path.join(workspace.directory, 'data');
  writeTree(docs, {
    'tides.md': tidesMarkdown,
    'garden/compost.txt': gardeningText,
    'volcano.html': volcanoHtml,
    'paper.pdf': minimalPdf(['Pulsars are rapidly rotating neutron stars.', 'They emit beams of radio waves.']),
    'binary.txt': Buffer.from([0x68, 0x69, 0x00, 0x01, 0x02]),
    'latin1.txt': Buffer.from('caf\xe9 au lait', 'latin1'),
    'big.md': `# Big\n\n${'glacier ice flows slowly downhill. '.repeat(200)}\n`,
    'copy-of-tides.md': tidesMarkdown,
    'image.png': Buffer.from([0x89, 0x50, 0x4e, 0x47]),
    '.hidden/secret.md': '# secret',
  });
});

afterEach(() => {
  for (const kb of open.splice(0)) kb.close();
  workspace.cleanup();
});

describe('ingest', () => {
  it('reads Markdown, text, HTML and PDF; skips binary and non-UTF-8; truncates big files; stores duplicates once', async () => {
    const { kb } = await openKb();
    const progress: IngestProgress[] = [];
    const summary = await kb.ingest([docs], { maxFileBytes: 2_000, onProgress: (update) => progress.push(update) });
    expect(summary).toMatchObject({ files: 6, skipped: 2, truncated: 1, duplicates: 1, ignored: 1, chunksRemoved: 0, chunksUnchanged: 0 });
    expect(summary.chunksAdded).toBeGreaterThanOrEqual(5);
    expect(summary.embedded).toBe(summary.chunksAdded);
    expect(summary.warnings.join('\n')).toMatch(/binary\.txt: skipped: binary content/);
    expect(summary.warnings.join('\n')).toMatch(/latin1\.txt: skipped: not valid UTF-8/);
    expect(summary.warnings.join('\n')).toMatch(/big\.md: truncated to the first 2000 bytes/);
    expect(summary.warnings.join('\n')).toMatch(/tides\.md: same content as docs\/copy-of-tides\.md|copy-of-tides\.md: same content as docs\/tides\.md/);
    expect(kb.listSources().map((source) => source.source)).toEqual([
      'docs/big.md',
      'docs/copy-of-tides.md',
      'docs/garden/compost.txt',
      'docs/paper.pdf',
      'docs/volcano.html',
    ]);
    expect(progress.at(-1)).toMatchObject({ phase: 'done', filesTotal: 8 });
    expect(progress.some((update) => update.phase === 'embed' && update.rate > 0)).toBe(true);
    expect(kb.stats()).toMatchObject({ sources: 5, chunks: summary.chunksAdded, embedder: 'local-hash-v1-128', dimensions: 128 });
    expect(kb.stats().indexBytes).toBeGreaterThan(0);
  });

  it('finds the passage that answers a query, with source, line range and chunk id', async () => {
    const { kb } = await openKb();
    await kb.ingest([docs]);
    const [best] = await kb.search('what causes the tides? gravitational pull of the moon', { limit: 3 });
    expect(best?.source).toBe('docs/copy-of-tides.md');
    expect(best?.text).toContain('gravitational pull of the Moon');
    expect(best?.location.startLine).toBeGreaterThanOrEqual(1);
    const lines = tidesMarkdown.split('\n').slice((best?.location.startLine ?? 1) - 1, best?.location.endLine).join('\n');
    expect(lines).toBe(best?.text);
    expect(best?.chunkId).toMatch(/^[0-9a-f]{24}$/);

    const compost = await kb.search('composting coffee grounds eggshells', { limit: 1 });
    expect(compost[0]?.source).toBe(path.join('docs', 'garden', 'compost.txt'));
    const html = await kb.search('stratovolcano layers of lava', { limit: 1 });
    expect(html[0]?.source).toBe('docs/volcano.html');
    expect(html[0]?.text).not.toContain('volcano script');
    const pdf = await kb.search('neutron stars pulsars', { limit: 1 });
    expect(pdf[0]?.source).toBe('docs/paper.pdf');
    expect(pdf[0]?.text).toContain('rapidly rotating neutron stars');
  });

  it('reads a chunk with its neighbours, and line ranges of a source', async () => {
    const { kb } = await openKb();
    await kb.ingest([path.join(docs, 'tides.md')], { cwd: workspace.directory });
    const [hit] = await kb.search('neap tides at right angles', { limit: 1 });
    const around = await kb.read({ chunkId: hit?.chunkId ?? '' });
    expect(around?.source).toBe('docs/tides.md');
    expect(around?.text).toContain('neap tides');
    expect(around?.location.startLine).toBeLessThanOrEqual(hit?.location.startLine ?? 0);
    expect(await kb.read({ source: 'docs/tides.md', startLine: 1, endLine: 1 })).toEqual({
      source: 'docs/tides.md',
      text: '# Tides',
      location: { startLine: 1, endLine: 1 },
    });
    expect((await kb.read({ source: path.join(docs, 'tides.md'), startLine: 5, endLine: 999 }))?.location.endLine).toBe(tidesMarkdown.split('\n').length);
    expect(await kb.read({ chunkId: 'nope' })).toBeUndefined();
    expect(await kb.read({ source: 'docs/missing.md' })).toBeUndefined();
  });

  it('embeds nothing when an unchanged folder is ingested again, even from a fresh process', async () => {
    const first = await openKb();
    const initial = await first.kb.ingest([docs]);
    first.kb.close();
    open.length = 0;
    const second = await openKb();
    const again = await second.kb.ingest([docs]);
    expect(second.embedder.embedded).toBe(0);
    expect(again).toMatchObject({ embedded: 0, chunksAdded: 0, chunksRemoved: 0, chunksUnchanged: initial.chunksAdded });
    expect((await second.kb.search('spring tides', { limit: 1 }))[0]?.text).toContain('spring tides');
  });

  it('replaces only the chunks of a changed file and re-embeds only changed text', async () => {
    const { kb, embedder } = await openKb();
    await kb.ingest([docs]);
    const compostBefore = (await kb.search('composting kitchen scraps', { limit: 1 }))[0];
    const tidesBefore = await kb.search('spring tides neap tides', { limit: 5 });
    embedder.calls.length = 0;
    writeFileSync(path.join(docs, 'copy-of-tides.md'), tidesMarkdown.replace('half as strongly', 'less than half as strongly'));
    const summary = await kb.ingest([docs]);
    const tideChunks = tidesBefore.filter((passage) => passage.source === 'docs/copy-of-tides.md').length;
    // copy-of-tides.md (stored; tides.md was its duplicate) changed: its chunks are replaced, and tides.md, no longer
    // a duplicate, is added with the vectors already in the index. Only the edited paragraph is embedded.
    expect(summary.embedded).toBe(1);
    expect(summary.chunksRemoved).toBe(tideChunks);
    expect(summary.chunksAdded).toBe(2 * tideChunks);
    expect(summary.duplicates).toBe(0);
    expect(embedder.embedded).toBe(1);
    expect(embedder.calls[0]?.[0]).toContain('less than half as strongly');
    expect(tideChunks).toBeGreaterThan(0);
    // The other documents keep their chunk ids; the now-distinct original tides.md is added.
    expect((await kb.search('composting kitchen scraps', { limit: 1 }))[0]?.chunkId).toBe(compostBefore?.chunkId);
    const sources = kb.listSources().map((source) => source.source);
    expect(sources).toContain('docs/tides.md');
    expect((await kb.search('Sun contributes less than half', { limit: 1 }))[0]?.text).toContain('less than half as strongly');
  });

  it("removes a deleted file's chunks when its folder is ingested again", async () => {
    const { kb } = await openKb();
    await kb.ingest([docs]);
    unlinkSync(path.join(docs, 'garden', 'compost.txt'));
    const summary = await kb.ingest([docs]);
    expect(summary.filesRemoved).toBe(1);
    expect(summary.chunksRemoved).toBeGreaterThan(0);
    expect(kb.listSources().map((source) => source.source)).not.toContain(path.join('docs', 'garden', 'compost.txt'));
    const hits = await kb.search('composting kitchen scraps coffee grounds', { limit: 10 });
    expect(hits.every((hit) => !hit.source.includes('compost'))).toBe(true);
  });

  it('refuses to search or update with a different embedder, naming both and the rebuild command', async () => {
    const { kb } = await openKb();
    await kb.ingest([docs]);
    const other = await openKb(new CountingEmbedder(new LocalHashEmbedder({ dimensions: 64 })));
    const error = await other.kb.search('tides').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KnowledgeBaseError);
    expect((error as KnowledgeBaseError).code).toBe('KB_EMBEDDING_MISMATCH');
    expect((error as Error).message).toContain('local-hash-v1-128');
    expect((error as Error).message).toContain('local-hash-v1-64');
    expect((error as KnowledgeBaseError).hint).toContain(`baton ingest --rebuild ${docs}`);
    await expect(other.kb.ingest([docs])).rejects.toMatchObject({ code: 'KB_EMBEDDING_MISMATCH' });
    const rebuilt = await other.kb.ingest([docs], { rebuild: true });
    expect(rebuilt.embedded).toBeGreaterThan(0);
    expect(other.kb.stats()).toMatchObject({ embedder: 'local-hash-v1-64', chunks: rebuilt.chunksAdded });
    expect((await other.kb.search('spring tides', { limit: 1 }))[0]?.text).toContain('spring tides');
  });

  it('reports a missing knowledge base, a missing index and a corrupt index with the rebuild command', async () => {
    const empty = await openKb();
    await expect(empty.kb.search('x')).rejects.toMatchObject({ code: 'KB_INDEX_MISSING', hint: expect.stringContaining('baton ingest') });
    await empty.kb.ingest([docs]);
    empty.kb.close();
    open.length = 0;
    const kbDir = path.join(dataDir, 'kb');
    const indexFile = readdirSync(kbDir).find((name) => name.endsWith('.hnsw')) ?? '';
    const bytes = readFileSync(path.join(kbDir, indexFile));
    bytes.fill(0x41, 100, 200);
    writeFileSync(path.join(kbDir, indexFile), bytes);
    const corrupt = await openKb();
    const error = await corrupt.kb.search('tides').catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'KB_INDEX_CORRUPT', hint: `rebuild it with \`baton ingest --rebuild ${docs}\`` });
    expect((error as Error).message).toContain(indexFile);
    // Reading stored text does not need the index.
    expect((await corrupt.kb.read({ source: 'docs/copy-of-tides.md', startLine: 1, endLine: 1 }))?.text).toBe('# Tides');
    await expect(corrupt.kb.ingest([docs])).rejects.toMatchObject({ code: 'KB_INDEX_CORRUPT' });
    rmSync(path.join(kbDir, indexFile));
    const missing = await openKb();
    await expect(missing.kb.search('tides')).rejects.toMatchObject({ code: 'KB_INDEX_MISSING', hint: expect.stringContaining('--rebuild') });
    await missing.kb.ingest([docs], { rebuild: true });
    expect((await missing.kb.search('spring tides', { limit: 1 }))[0]?.text).toContain('spring tides');
  });

  it('keeps the previous knowledge base when writing a new index fails half-way', async () => {
    const { kb } = await openKb();
    await kb.ingest([docs]);
    const kbDir = path.join(dataDir, 'kb');
    const manifestBefore = readFileSync(path.join(kbDir, 'manifest.json'), 'utf8');
    writeTree(docs, { 'new.md': '# Auroras\n\nAuroras appear when solar wind particles hit the upper atmosphere.\n' });
    const crash = async (_index: unknown, file: string): Promise<void> => {
      writeFileSync(file, 'partial index bytes');
      throw new Error('disk full');
    };
    await expect(kb.ingest([docs], { writeIndex: crash })).rejects.toThrow('disk full');
    expect(readFileSync(path.join(kbDir, 'manifest.json'), 'utf8')).toBe(manifestBefore);
    expect(readdirSync(kbDir).filter((name) => name.includes('.tmp'))).toEqual([]);
    kb.close();
    open.length = 0;
    const reopened = await openKb();
    expect((await reopened.kb.search('spring tides', { limit: 1 }))[0]?.text).toContain('spring tides');
    expect(reopened.kb.listSources().map((source) => source.source)).not.toContain('docs/new.md');
    // The next ingest completes the interrupted one.
    const summary = await reopened.kb.ingest([docs]);
    expect(summary.chunksAdded).toBe(1);
    expect((await reopened.kb.search('auroras solar wind', { limit: 1 }))[0]?.source).toBe('docs/new.md');
  });

  it('rolls the manifest forward when a crash left it behind the committed store', async () => {
    const { kb } = await openKb();
    await kb.ingest([docs]);
    unlinkSync(path.join(dataDir, 'kb', 'manifest.json'));
    kb.close();
    open.length = 0;
    const reopened = await openKb();
    expect((await reopened.kb.search('spring tides', { limit: 1 }))[0]?.text).toContain('spring tides');
    expect(JSON.parse(readFileSync(path.join(dataDir, 'kb', 'manifest.json'), 'utf8'))).toMatchObject({ version: 1, embedder: 'local-hash-v1-128' });
  });
});
