import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CancelledError } from '../../src/errors.js';
import { extractText, readRaw } from '../../src/knowledge/extract.js';
import { openKnowledgeBase, type KnowledgeBase } from '../../src/knowledge/knowledge-base.js';
import { CountingEmbedder, minimalPdf, temporaryDirectory, tidesMarkdown, writeTree } from './fixtures.js';

let workspace: { directory: string; cleanup: () => void };
let kb: KnowledgeBase | undefined;

beforeEach(() => {
  workspace = temporaryDirectory('ingest');
});
afterEach(() => {
  kb?.close();
  kb = undefined;
  workspace.cleanup();
});

function manifest(): { elements: number; count: number; generation: number } {
  return JSON.parse(readFileSync(path.join(workspace.directory, 'data', 'kb', 'manifest.json'), 'utf8')) as { elements: number; count: number; generation: number };
}

describe('extract', () => {
  it('cuts an oversized UTF-8 file on a character boundary instead of calling it invalid', async () => {
    const file = path.join(workspace.directory, 'accents.txt');
    writeFileSync(file, 'é'.repeat(100)); // two bytes each
    const raw = await readRaw(file, 'text', 51);
    if ('skipped' in raw) throw new Error(`skipped: ${raw.skipped}`);
    expect(raw.truncated).toBe(true);
    expect(raw.bytes).toHaveLength(50);
    const text = await extractText(raw, 1_000);
    expect(text).toEqual({ text: 'é'.repeat(25), truncated: true });
  });

  it('skips a .pdf that is not a PDF, and one that cannot be parsed', async () => {
    writeTree(workspace.directory, { 'fake.pdf': 'just text', 'broken.pdf': '%PDF-1.4\ngarbage without objects' });
    expect(await readRaw(path.join(workspace.directory, 'fake.pdf'), 'pdf', 1_000)).toEqual({ skipped: 'not a PDF (no %PDF- header)' });
    const broken = await readRaw(path.join(workspace.directory, 'broken.pdf'), 'pdf', 1_000);
    if ('skipped' in broken) throw new Error('header check should pass');
    expect(await extractText(broken, 1_000)).toMatchObject({ skipped: expect.stringContaining('cannot parse the PDF') });
  });

  it('extracts the text of a PDF page by page', async () => {
    const file = path.join(workspace.directory, 'doc.pdf');
    writeFileSync(file, minimalPdf(['First line (with parentheses)', 'Second line']));
    const raw = await readRaw(file, 'pdf', 1_000_000);
    if ('skipped' in raw) throw new Error(raw.skipped);
    expect(await extractText(raw, 1_000_000)).toEqual({ text: 'First line (with parentheses)\nSecond line', truncated: false });
  });
});

describe('KnowledgeBase.ingest', () => {
  it('logs through a pino logger and reports a missing path without failing', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    writeTree(workspace.directory, { 'docs/a.md': '# A\n\nalpha text about owls\n' });
    kb = await openKnowledgeBase({ dataDir: path.join(workspace.directory, 'data'), embedder: new CountingEmbedder(), logger, displayRoot: workspace.directory });
    const summary = await kb.ingest(['docs', 'nowhere']);
    expect(summary.files).toBe(1);
    expect(summary.warnings).toEqual(['nowhere: not found; documents previously ingested from it are removed']);
    expect(lines.some((line) => line.includes('not found'))).toBe(true);
    expect(lines.some((line) => line.includes('knowledge base ingest finished') && line.includes('"chunksAdded":1'))).toBe(true);
  });

  it('reuses deleted slots of the index, so repeated edits do not grow it', async () => {
    const docs = path.join(workspace.directory, 'docs');
    writeTree(docs, { 'tides.md': tidesMarkdown, 'other.md': '# Other\n\nUnrelated words about basalt.\n' });
    kb = await openKnowledgeBase({ dataDir: path.join(workspace.directory, 'data'), embedder: new CountingEmbedder() });
    await kb.ingest([docs]);
    const first = manifest();
    for (let round = 1; round <= 3; round += 1) {
      writeFileSync(path.join(docs, 'tides.md'), `${tidesMarkdown}\nEdit number ${round}.\n`);
      await kb.ingest([docs]);
    }
    const last = manifest();
    expect(last.generation).toBe(first.generation + 3);
    expect(last.count).toBe(first.count);
    expect(last.elements).toBeLessThanOrEqual(first.elements + 3);
    const hits = await kb.search('Edit number 3', { limit: 3 });
    expect(hits[0]?.text).toContain('Edit number 3.');
    expect(hits.every((hit) => !hit.text.includes('Edit number 2.'))).toBe(true);
  });

  it('reads a chunk together with the chunks around it', async () => {
    const sections = Array.from({ length: 5 }, (_value, index) => `## Part ${index}\n\n${`Section ${index} talks about topic${index}. `.repeat(10)}`);
    writeTree(workspace.directory, { 'long.md': sections.join('\n\n') });
    kb = await openKnowledgeBase({ dataDir: path.join(workspace.directory, 'data'), embedder: new CountingEmbedder(), displayRoot: workspace.directory });
    await kb.ingest(['long.md']);
    const [hit] = await kb.search('topic2', { limit: 1 });
    expect(hit?.text).toContain('Section 2');
    const around = await kb.read({ chunkId: hit?.chunkId ?? '' });
    expect(around?.text).toContain('Section 1');
    expect(around?.text).toContain('Section 2');
    expect(around?.text).toContain('Section 3');
    expect(around?.text).not.toContain('Section 0');
    expect(around?.text).not.toContain('Section 4');
  });

  it('stops when cancelled and leaves the knowledge base unchanged', async () => {
    writeTree(workspace.directory, { 'a.md': '# A\n\nalpha\n' });
    kb = await openKnowledgeBase({ dataDir: path.join(workspace.directory, 'data'), embedder: new CountingEmbedder(), displayRoot: workspace.directory });
    const controller = new AbortController();
    controller.abort();
    await expect(kb.ingest(['a.md'], { signal: controller.signal })).rejects.toBeInstanceOf(CancelledError);
    expect(kb.stats()).toMatchObject({ sources: 0, chunks: 0, embedder: undefined });
    await expect(kb.search('alpha')).rejects.toMatchObject({ code: 'KB_INDEX_MISSING' });
  });

  it('reports an unreadable database as a corrupt knowledge base', async () => {
    writeTree(workspace.directory, { 'data/kb/kb.sqlite': 'this is not a SQLite database, just some text padding it out to a page'.repeat(20) });
    await expect(openKnowledgeBase({ dataDir: path.join(workspace.directory, 'data'), embedder: new CountingEmbedder() })).rejects.toMatchObject({
      code: 'KB_INDEX_CORRUPT',
      message: expect.stringContaining('kb.sqlite cannot be used: it is not an SQLite database'),
    });
  });

  it('ingests a file named directly whatever its extension, and an empty folder into an empty index', async () => {
    writeTree(workspace.directory, { 'notes.log': 'plain words in a log file about herons\n', 'empty/.keep': '' });
    kb = await openKnowledgeBase({ dataDir: path.join(workspace.directory, 'data'), embedder: new CountingEmbedder(), displayRoot: workspace.directory });
    expect((await kb.ingest(['empty'])).files).toBe(0);
    expect(await kb.search('anything')).toEqual([]);
    await kb.ingest(['notes.log']);
    expect((await kb.search('herons', { limit: 1 }))[0]?.source).toBe('notes.log');
  });
});
