/**
 * Reads a file for the knowledge base: which files are documents, whether their bytes are usable text, and the text
 * to index (Markdown and plain text as written, HTML as its readable text, PDF as its extracted text).
 */
import { createHash } from 'node:crypto';
import { open, readFile, stat } from 'node:fs/promises';
import path from 'node:path';

/** How a document is read. */
export type DocumentKind = 'markdown' | 'text' | 'html' | 'pdf';

const kindsByExtension: Readonly<Record<string, DocumentKind>> = {
  '.md': 'markdown',
  '.markdown': 'markdown',
  '.mdx': 'markdown',
  '.txt': 'text',
  '.text': 'text',
  '.rst': 'text',
  '.adoc': 'text',
  '.org': 'text',
  '.csv': 'text',
  '.html': 'html',
  '.htm': 'html',
  '.xhtml': 'html',
  '.pdf': 'pdf',
};

/** The extensions a folder scan reads, for messages. */
export function documentExtensions(): string[] {
  return Object.keys(kindsByExtension);
}

/** The kind of a file by its extension; `undefined` for files a folder scan leaves out. */
export function documentKind(file: string): DocumentKind | undefined {
  return kindsByExtension[path.extname(file).toLowerCase()];
}

/** The raw bytes of a file, checked: its content hash and whether it had to be cut at the size cap. */
export interface RawDocument {
  kind: DocumentKind;
  bytes: Buffer;
  /** sha256 of the bytes read (after any truncation), hex. */
  contentHash: string;
  /** Size on disk. */
  size: number;
  truncated: boolean;
}

/** A file that cannot be used, and why (for the warning). */
export interface SkippedDocument {
  skipped: string;
}

/** Drops an incomplete UTF-8 sequence at the end of a buffer cut at an arbitrary byte. */
function trimIncompleteUtf8(bytes: Buffer): Buffer {
  let index = bytes.length - 1;
  let continuation = 0;
  while (index >= 0 && continuation < 3 && ((bytes[index] ?? 0) & 0xc0) === 0x80) {
    index -= 1;
    continuation += 1;
  }
  if (index < 0) return bytes;
  const lead = bytes[index] ?? 0;
  const expected = lead >= 0xf0 ? 3 : lead >= 0xe0 ? 2 : lead >= 0xc0 ? 1 : 0;
  return expected > continuation ? bytes.subarray(0, index) : bytes;
}

async function readHead(file: string, length: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * Reads and checks a file. Text files over `maxBytes` are cut at the cap (on a character boundary); PDFs are read
 * whole up to ten times the cap, since a cut PDF cannot be parsed, and their extracted text is capped instead.
 * Binary (NUL bytes) and non-UTF-8 text files, unreadable files and files that are not PDFs despite the name are skipped.
 */
export async function readRaw(file: string, kind: DocumentKind, maxBytes: number): Promise<RawDocument | SkippedDocument> {
  let size: number;
  try {
    const info = await stat(file);
    if (!info.isFile()) return { skipped: 'not a regular file' };
    size = info.size;
  } catch (error) {
    return { skipped: `cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})` };
  }
  let bytes: Buffer;
  let truncated = false;
  try {
    if (kind === 'pdf') {
      if (size > maxBytes * 10) return { skipped: `PDF of ${size} bytes is over ten times the ${maxBytes}-byte cap` };
      bytes = await readFile(file);
      if (bytes.subarray(0, 1024).indexOf('%PDF-') < 0) return { skipped: 'not a PDF (no %PDF- header)' };
    } else if (size > maxBytes) {
      bytes = trimIncompleteUtf8(await readHead(file, maxBytes));
      truncated = true;
    } else {
      bytes = await readFile(file);
    }
  } catch (error) {
    return { skipped: `cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})` };
  }
  if (kind !== 'pdf') {
    if (bytes.includes(0)) return { skipped: 'binary content (NUL bytes)' };
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      return { skipped: 'not valid UTF-8 text' };
    }
  }
  return { kind, bytes, contentHash: createHash('sha256').update(bytes).digest('hex'), size, truncated };
}

/** The text of a checked document, with `\n` line ends, or why it could not be extracted. */
export async function extractText(raw: RawDocument, maxChars: number): Promise<{ text: string; truncated: boolean } | SkippedDocument> {
  let text: string;
  if (raw.kind === 'pdf') {
    try {
      text = await pdfText(raw.bytes);
    } catch (error) {
      return { skipped: `cannot parse the PDF: ${error instanceof Error ? error.message : String(error)}` };
    }
  } else {
    text = new TextDecoder('utf-8').decode(raw.bytes).replace(/^\uFEFF/, '');
    // Loaded on first use, like the PDF engine: the HTML parser takes a tenth of a second to load.
    if (raw.kind === 'html') text = (await import('../net/readable.js')).readableText(text).text;
  }
  text = text.replace(/\r\n?/g, '\n');
  if (text.length > maxChars) return { text: text.slice(0, maxChars), truncated: true };
  return { text, truncated: raw.truncated };
}

async function pdfText(bytes: Buffer): Promise<string> {
  // Loaded on first use: the PDF engine is large and most knowledge bases have no PDFs.
  const { PDFParse } = await import('pdf-parse');
  const parser = new PDFParse({ data: new Uint8Array(bytes) });
  try {
    const result = await parser.getText();
    return result.pages.map((page) => page.text.trimEnd()).join('\n\n');
  } finally {
    await parser.destroy();
  }
}
