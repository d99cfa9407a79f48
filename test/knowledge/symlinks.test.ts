/**
 * Symbolic links must not carry files from outside the knowledge folders into search, read_source or the knowledge
 * base. Every case uses real links in a temp folder: a file link, a folder link, a chain, loops, and links that stay
 * inside the folders (which keep working).
 */
import { mkdirSync, realpathSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readSource } from '../../tools/read_source.js';
import { loadProject } from '../../src/config/load.js';
import { BatonConfig } from '../../src/config/schema.js';
import { walkConfined } from '../../src/knowledge/confined-walk.js';
import { LocalHashEmbedder } from '../../src/knowledge/embedder.js';
import { FolderEvidence } from '../../src/knowledge/folder.js';
import { openKnowledgeBase, type KnowledgeBase } from '../../src/knowledge/knowledge-base.js';
import type { EvidenceSource } from '../../src/knowledge/types.js';
import { defaultFetchPolicy } from '../../src/net/policy.js';
import { chooseEvidence } from '../../src/runtime/knowledge.js';
import { temporaryDirectory, writeTree } from './fixtures.js';

let workspace: { directory: string; cleanup: () => void };
let root: string;
let kb: KnowledgeBase | undefined;

/** Words that appear only in files outside the knowledge folder. */
const SECRETS = ['zanzibarsecret', 'quokkapassword', 'chainedtreasure'];

beforeEach(() => {
  workspace = temporaryDirectory('symlinks');
  root = workspace.directory;
  writeTree(root, {
    'kb/notes.md': '# Notes\n\nThe lighthouse keeper logs every storm.\n',
    'kb/sub/real.md': '# Real\n\nMarmalade recipes need bitter oranges.\n',
    'outside/passwd.txt': 'root:x:0:0:zanzibarsecret:/root:/bin/bash\n',
    'outside/etc/shadow.md': 'quokkapassword hash here\n',
    'outside/deep/final.md': 'chainedtreasure lies here\n',
  });
  // The case: a file link out of the folder.
  symlinkSync(path.join(root, 'outside/passwd.txt'), path.join(root, 'kb/passwd.txt'));
  // A folder link out of the folder.
  symlinkSync(path.join(root, 'outside/etc'), path.join(root, 'kb/etc'));
  // A chain: kb/chain.md -> kb/hop.md -> outside/hop2.md -> outside/deep/final.md.
  symlinkSync(path.join(root, 'outside/deep/final.md'), path.join(root, 'outside/hop2.md'));
  symlinkSync(path.join(root, 'outside/hop2.md'), path.join(root, 'kb/hop.md'));
  symlinkSync('hop.md', path.join(root, 'kb/chain.md'));
  // A relative link climbing out with `..`.
  symlinkSync('../outside/etc/shadow.md', path.join(root, 'kb/climb.md'));
  // Links that stay inside keep working: a file link and a folder link.
  symlinkSync(path.join(root, 'kb/sub/real.md'), path.join(root, 'kb/inside-link.md'));
  mkdirSync(path.join(root, 'kb/more'));
  symlinkSync('../sub', path.join(root, 'kb/more/alias'));
  // Loops: a folder link back to an ancestor, and a link to itself.
  symlinkSync('..', path.join(root, 'kb/sub/up'));
  symlinkSync('self.md', path.join(root, 'kb/self.md'));
});

afterEach(() => {
  kb?.close();
  kb = undefined;
  workspace.cleanup();
});

const outsideLinks = ['kb/chain.md', 'kb/climb.md', 'kb/etc', 'kb/hop.md', 'kb/passwd.txt'];

async function searchAll(evidence: EvidenceSource): Promise<string> {
  const found = await Promise.all([...SECRETS, 'lighthouse', 'marmalade'].map((word) => evidence.search(word, { limit: 20 })));
  return found.flat().map((passage) => `${passage.source}: ${passage.text}`).join('\n');
}

describe('the confined walk', () => {
  it('lists only files whose real path is inside the roots, and says why it skipped each link', () => {
    const walked = walkConfined([path.join(root, 'kb')]);
    const files = walked.files.map((file) => path.relative(root, file.file)).sort();
    expect(files).toEqual(['kb/inside-link.md', 'kb/notes.md', 'kb/sub/real.md']);
    const skipped = Object.fromEntries(walked.skipped.map((entry) => [path.relative(root, entry.path), entry.reason]));
    for (const link of outsideLinks) expect(skipped[link], link).toMatch(/outside the knowledge folders \(set knowledge\.allowOutsideRoots: true/);
    expect(skipped['kb/self.md']).toBe('symbolic link loop');
    expect(skipped['kb/sub/up']).toMatch(/symbolic link loop/);
  });

  it('reads a folder reached through an inside link once, under its own path', () => {
    const walked = walkConfined([path.join(root, 'kb')]);
    expect(walked.files.filter((file) => file.realPath === path.join(realpathSync(root), 'kb/sub/real.md')).map((file) => path.relative(root, file.file))).toEqual([
      'kb/sub/real.md',
      'kb/inside-link.md',
    ]);
    expect(walked.skipped.map((entry) => path.relative(root, entry.path))).not.toContain('kb/more/alias');
  });

  it('follows a folder link whose target is inside the roots but not otherwise walked', () => {
    writeTree(root, { 'kb/.drafts/draft.md': 'draft text\n' });
    symlinkSync('.drafts', path.join(root, 'kb/drafts'));
    const walked = walkConfined([path.join(root, 'kb')], { skipName: (name) => name.startsWith('.') });
    expect(walked.files.map((file) => path.relative(root, file.file))).toContain('kb/drafts/draft.md');
  });

  it('treats a link into another root as inside', () => {
    const walked = walkConfined([path.join(root, 'kb'), path.join(root, 'outside/etc')]);
    expect(walked.files.map((file) => path.relative(root, file.file))).toContain('outside/etc/shadow.md');
    expect(walked.skipped.map((entry) => path.relative(root, entry.path))).not.toContain('kb/etc');
  });

  it('judges a link chain by where it ends: back inside is read, outside is refused', () => {
    symlinkSync(path.join(root, 'kb/notes.md'), path.join(root, 'outside/back.md'));
    symlinkSync(path.join(root, 'outside/back.md'), path.join(root, 'kb/round-trip.md'));
    const walked = walkConfined([path.join(root, 'kb')]);
    // The real path decides: the round trip ends at kb/notes.md, inside; the chain ends outside.
    expect(walked.files.map((file) => path.relative(root, file.file))).toContain('kb/round-trip.md');
    expect(walked.skipped.map((entry) => path.relative(root, entry.path))).toContain('kb/chain.md');
  });

  it('follows every link with allowOutsideRoots, still without looping', () => {
    const walked = walkConfined([path.join(root, 'kb')], { allowOutsideRoots: true });
    const files = walked.files.map((file) => path.relative(root, file.file));
    expect(files).toEqual(expect.arrayContaining(['kb/passwd.txt', 'kb/etc/shadow.md', 'kb/chain.md', 'kb/climb.md']));
    expect(walked.skipped.map((entry) => path.relative(root, entry.path)).sort()).toEqual(['kb/self.md', 'kb/sub/up']);
  });
});

describe('folder keyword search', () => {
  it('does not search files reached through links that leave the folder, and reports each one', async () => {
    const warnings: string[] = [];
    const evidence = new FolderEvidence([path.join(root, 'kb')], { displayRoot: root, warn: (message) => warnings.push(message) });
    const text = await searchAll(evidence);
    for (const secret of SECRETS) expect(text).not.toContain(secret);
    expect(text).toContain('lighthouse keeper');
    expect(text).toContain('kb/inside-link.md: Marmalade');
    for (const link of outsideLinks) expect(warnings.some((warning) => warning.startsWith(`${link}: skipped: symbolic link to `)), link).toBe(true);
    expect(evidence.skipped.map((entry) => entry.path)).toEqual(expect.arrayContaining(outsideLinks));
  });

  it('searches them when the config opts in', async () => {
    const evidence = new FolderEvidence([path.join(root, 'kb')], { displayRoot: root, allowOutsideRoots: true });
    const text = await searchAll(evidence);
    for (const secret of SECRETS) expect(text).toContain(secret);
  });
});

describe('read_source', () => {
  const run = (evidence: EvidenceSource, input: Record<string, unknown>) => readSource.run(readSource.input.parse(input), { evidence, fetchPolicy: defaultFetchPolicy });

  it('reads nothing outside the folder: not the link, not a `..` path, not an absolute path', async () => {
    const evidence = new FolderEvidence([path.join(root, 'kb')], { displayRoot: root });
    for (const source of ['kb/passwd.txt', 'kb/etc/shadow.md', 'kb/chain.md', 'kb/../outside/passwd.txt', '../outside/passwd.txt', 'kb/sub/../../outside/etc/shadow.md', path.join(root, 'outside/passwd.txt')]) {
      const result = await run(evidence, { source });
      expect(result.output, source).toMatchObject({ found: false });
      expect(JSON.stringify(result.output)).not.toMatch(/zanzibarsecret|quokkapassword|chainedtreasure/);
    }
    const dotted = await run(evidence, { source: 'kb/../outside/passwd.txt' });
    expect(dotted.output).toMatchObject({ found: false, reason: expect.stringContaining('".."') });
  });

  it('reads files and in-folder links', async () => {
    const evidence = new FolderEvidence([path.join(root, 'kb')], { displayRoot: root });
    expect((await run(evidence, { source: 'kb/inside-link.md' })).output).toMatchObject({ found: true, text: expect.stringContaining('Marmalade') });
    expect((await run(evidence, { source: 'kb/notes.md' })).output).toMatchObject({ found: true });
  });

  it('reads nothing outside the folder from an ingested knowledge base either', async () => {
    kb = await openKnowledgeBase({ dataDir: path.join(root, 'data'), embedder: new LocalHashEmbedder(), displayRoot: root });
    await kb.ingest([path.join(root, 'kb')]);
    for (const source of ['kb/passwd.txt', 'kb/../outside/passwd.txt', path.join(root, 'outside/passwd.txt'), 'kb/etc/shadow.md']) {
      expect((await run(kb, { source })).output, source).toMatchObject({ found: false });
    }
    expect((await run(kb, { source: 'kb/sub/real.md' })).output).toMatchObject({ found: true, text: expect.stringContaining('Marmalade') });
  });
});

describe('baton ingest', () => {
  it('skips links that leave the folders, counting and naming each one, and stores none of their text', async () => {
    kb = await openKnowledgeBase({ dataDir: path.join(root, 'data'), embedder: new LocalHashEmbedder(), displayRoot: root });
    const summary = await kb.ingest(['kb'], { cwd: root });
    for (const link of outsideLinks) {
      expect(summary.warnings.some((warning) => warning.startsWith(`${link}: skipped: symbolic link to `) && warning.includes('outside the knowledge folders')), link).toBe(true);
    }
    expect(summary.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/^kb\/self\.md: skipped: symbolic link loop/), expect.stringMatching(/^kb\/sub\/up: skipped: symbolic link loop/)]));
    expect(summary.skipped).toBe(outsideLinks.length + 2);
    const sources = kb.listSources().map((source) => source.source).sort();
    // The in-folder link is read too; its content is the same as the file it points to, so it is stored once.
    expect(summary.warnings).toContain('kb/inside-link.md: same content as kb/sub/real.md; stored once');
    expect(sources).toEqual(['kb/notes.md', 'kb/sub/real.md']);
    const text = await searchAll(kb);
    for (const secret of SECRETS) expect(text).not.toContain(secret);
    expect(text).toContain('lighthouse');
  });

  it('removes documents a link had brought in before, once the link is refused', async () => {
    kb = await openKnowledgeBase({ dataDir: path.join(root, 'data'), embedder: new LocalHashEmbedder(), displayRoot: root });
    await kb.ingest(['kb'], { cwd: root, allowOutsideRoots: true });
    expect(kb.listSources().map((source) => source.source)).toContain('kb/passwd.txt');
    const summary = await kb.ingest(['kb'], { cwd: root });
    expect(summary.filesRemoved).toBeGreaterThan(0);
    expect(kb.listSources().map((source) => source.source)).not.toContain('kb/passwd.txt');
    for (const secret of SECRETS) expect(await searchAll(kb)).not.toContain(secret);
  });

  it('ingests a file named directly even when it is a link: the user named it', async () => {
    kb = await openKnowledgeBase({ dataDir: path.join(root, 'data'), embedder: new LocalHashEmbedder(), displayRoot: root });
    const summary = await kb.ingest(['kb/passwd.txt'], { cwd: root });
    expect(summary.files).toBe(1);
  });

  it('follows the config: knowledge.paths are the roots, knowledge.allowOutsideRoots opts in', async () => {
    writeTree(root, { 'baton.config.yaml': 'knowledge:\n  paths: [kb]\n' });
    const refused = chooseEvidence(loadProject({ cwd: root, env: {} }), {});
    expect(refused.description).toContain('kb/passwd.txt (symbolic link to ');
    for (const secret of SECRETS) expect(await searchAll(refused.evidence)).not.toContain(secret);
    writeTree(root, { 'baton.config.yaml': 'knowledge:\n  paths: [kb]\n  allowOutsideRoots: true\n' });
    const allowed = chooseEvidence(loadProject({ cwd: root, env: {} }), {});
    expect(await searchAll(allowed.evidence)).toContain('zanzibarsecret');
  });

  it('has a config switch, off by default', () => {
    expect(BatonConfig.parse({}).knowledge.allowOutsideRoots).toBe(false);
    expect(BatonConfig.parse({ knowledge: { allowOutsideRoots: true } }).knowledge.allowOutsideRoots).toBe(true);
    expect(BatonConfig.safeParse({ knowledge: { allowOutsideRoots: 'yes' } }).success).toBe(false);
  });
});
