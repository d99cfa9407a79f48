import { describe, expect, it } from 'vitest';
import { chunkText } from '../../src/knowledge/chunker.js';
import { reciprocalRankFusion } from '../../src/knowledge/fusion.js';

function linesOf(text: string, startLine: number, endLine: number): string {
  return text.split('\n').slice(startLine - 1, endLine).join('\n');
}

describe('chunkText', () => {
  it('starts a chunk at each heading, keeps heading paths and exact line ranges', () => {
    const text = '# Guide\n\nIntro paragraph.\n\n## Install\n\nRun the installer.\nThen restart.\n\n### Linux\n\nUse the package.\n';
    const chunks = chunkText(text);
    expect(chunks.map((chunk) => [chunk.heading, chunk.startLine, chunk.endLine])).toEqual([
      ['Guide', 1, 3],
      ['Guide > Install', 5, 8],
      ['Guide > Install > Linux', 10, 12],
    ]);
    for (const chunk of chunks) expect(chunk.text).toBe(linesOf(text, chunk.startLine, chunk.endLine));
    expect(chunks.map((chunk) => chunk.ordinal)).toEqual([0, 1, 2]);
  });

  it('packs paragraphs up to the target size and never splits a fenced code block with blank lines', () => {
    const paragraph = 'word '.repeat(60).trim(); // 299 characters
    const code = '```js\nconst a = 1;\n\nconst b = 2;\n```';
    const text = [paragraph, paragraph, code, paragraph, paragraph, paragraph].join('\n\n');
    const chunks = chunkText(text, { targetChars: 800 });
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) {
      expect(chunk.text.length).toBeLessThanOrEqual(1200);
      expect(chunk.text).toBe(linesOf(text, chunk.startLine, chunk.endLine));
    }
    expect(chunks.filter((chunk) => chunk.text.includes('const a = 1;') && chunk.text.includes('const b = 2;'))).toHaveLength(1);
  });

  it('cuts oversized blocks by line, and a single overlong line by length', () => {
    const lines = Array.from({ length: 40 }, (_value, index) => `line ${index} ${'x'.repeat(80)}`);
    const byLine = chunkText(lines.join('\n'), { targetChars: 800 });
    expect(byLine.length).toBeGreaterThanOrEqual(4);
    expect(byLine[0]?.startLine).toBe(1);
    expect(byLine.at(-1)?.endLine).toBe(40);
    for (let index = 1; index < byLine.length; index += 1) expect(byLine[index]?.startLine).toBe((byLine[index - 1]?.endLine ?? 0) + 1);
    const long = chunkText(`before\n\n${'y'.repeat(2000)}\n\nafter`, { targetChars: 800 });
    const pieces = long.filter((chunk) => chunk.startLine === 3);
    expect(pieces.map((chunk) => chunk.text.length)).toEqual([800, 800, 400]);
  });

  it('returns nothing for blank text', () => {
    expect(chunkText('')).toEqual([]);
    expect(chunkText('\n  \n\n')).toEqual([]);
  });
});

describe('reciprocalRankFusion', () => {
  it('rewards agreement between rankings and scores 1/(60 + rank)', () => {
    const fused = reciprocalRankFusion([
      ['a', 'b', 'c'],
      ['b', 'd', 'e'],
    ]);
    expect(fused.map((entry) => entry.id)).toEqual(['b', 'a', 'd', 'c', 'e']);
    expect(fused[0]?.score).toBeCloseTo(1 / 62 + 1 / 61, 10);
    expect(fused.find((entry) => entry.id === 'a')?.score).toBeCloseTo(1 / 61, 10);
  });
});
