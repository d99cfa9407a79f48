/**
 * Splits a document into passages of about 800 characters along its own structure: a Markdown heading starts a new
 * chunk, paragraphs and fenced code blocks are kept whole when they fit, and only oversized blocks are cut (by line,
 * and a single overlong line by length). Every chunk keeps the exact 1-based line range it came from.
 */

/** A passage of a document. */
export interface TextChunk {
  /** Position of the chunk in its document, from 0. */
  ordinal: number;
  startLine: number;
  endLine: number;
  /** The headings the chunk sits under, outermost first, joined with " > "; empty before the first heading. */
  heading: string;
  text: string;
}

/** Options of {@link chunkText}. */
export interface ChunkOptions {
  /** Characters a chunk grows to before a new one starts. Default 800. */
  targetChars?: number;
  /** A single block longer than this is cut into pieces. Default 1.5 × target. */
  maxChars?: number;
}

interface Block {
  start: number;
  /** Inclusive, 0-based. */
  end: number;
  chars: number;
  headingLevel: number;
  headingText: string;
}

const headingPattern = /^(#{1,6})\s+(.+?)\s*#*\s*$/;
const fencePattern = /^\s{0,3}(`{3,}|~{3,})/;

/** Groups lines into paragraphs, headings and fenced code blocks. */
function splitBlocks(lines: string[]): Block[] {
  const blocks: Block[] = [];
  let start = -1;
  let fence = '';
  const close = (end: number): void => {
    if (start < 0) return;
    let chars = 0;
    for (let index = start; index <= end; index += 1) chars += (lines[index] ?? '').length + 1;
    blocks.push({ start, end, chars, headingLevel: 0, headingText: '' });
    start = -1;
  };
  lines.forEach((line, index) => {
    const fenceMatch = fencePattern.exec(line);
    if (fence) {
      if (fenceMatch && fenceMatch[1]?.startsWith(fence)) {
        fence = '';
        close(index);
      }
      return;
    }
    if (fenceMatch) {
      close(index - 1);
      start = index;
      fence = fenceMatch[1] ?? '```';
      return;
    }
    const heading = headingPattern.exec(line);
    if (heading) {
      close(index - 1);
      blocks.push({ start: index, end: index, chars: line.length + 1, headingLevel: heading[1]?.length ?? 1, headingText: heading[2] ?? '' });
      return;
    }
    if (line.trim() === '') close(index - 1);
    else if (start < 0) start = index;
  });
  close(lines.length - 1);
  return blocks;
}

/**
 * Splits text into chunks. Blank input gives no chunks. The text of a chunk is exactly its lines joined with `\n`,
 * except for pieces of a single overlong line, which are slices of that line.
 */
export function chunkText(text: string, options: ChunkOptions = {}): TextChunk[] {
  const target = options.targetChars ?? 800;
  const maximum = options.maxChars ?? Math.round(target * 1.5);
  const lines = text.split('\n');
  const chunks: TextChunk[] = [];
  const headings: string[] = [];
  let current: { start: number; end: number; chars: number; heading: string; onlyHeadings: boolean } | undefined;

  const emit = (start: number, end: number, heading: string, body?: string): void => {
    const chunkText = body ?? lines.slice(start, end + 1).join('\n');
    if (chunkText.trim() === '') return;
    chunks.push({ ordinal: chunks.length, startLine: start + 1, endLine: end + 1, heading, text: chunkText });
  };
  const flush = (): void => {
    if (current) emit(current.start, current.end, current.heading);
    current = undefined;
  };
  /** Cuts an oversized block into line runs of about `target` characters. */
  const splitLarge = (block: Block, heading: string): void => {
    let runStart = block.start;
    let runChars = 0;
    for (let index = block.start; index <= block.end; index += 1) {
      const line = lines[index] ?? '';
      if (line.length > maximum) {
        if (runChars > 0) emit(runStart, index - 1, heading);
        for (let offset = 0; offset < line.length; offset += target) emit(index, index, heading, line.slice(offset, offset + target));
        runStart = index + 1;
        runChars = 0;
        continue;
      }
      if (runChars > 0 && runChars + line.length + 1 > target) {
        emit(runStart, index - 1, heading);
        runStart = index;
        runChars = 0;
      }
      runChars += line.length + 1;
    }
    if (runChars > 0) emit(runStart, block.end, heading);
  };

  for (const block of splitBlocks(lines)) {
    if (block.headingLevel > 0) {
      if (current && !current.onlyHeadings) flush();
      headings.length = Math.min(headings.length, block.headingLevel - 1);
      headings[block.headingLevel - 1] = block.headingText;
      const path = headings.filter(Boolean).join(' > ');
      if (current) {
        current.end = block.end;
        current.chars += block.chars;
        current.heading = path;
      } else {
        current = { start: block.start, end: block.end, chars: block.chars, heading: path, onlyHeadings: true };
      }
      continue;
    }
    const heading = headings.filter(Boolean).join(' > ');
    if (block.chars > maximum) {
      flush();
      splitLarge(block, heading);
      continue;
    }
    if (current && !current.onlyHeadings && current.chars + block.chars > target) flush();
    if (current) {
      current.end = block.end;
      current.chars += block.chars;
      current.onlyHeadings = false;
    } else {
      current = { start: block.start, end: block.end, chars: block.chars, heading, onlyHeadings: false };
    }
  }
  flush();
  return chunks;
}
