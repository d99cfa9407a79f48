/**
 * Helpers for knowledge base tests: a minimal valid PDF writer, a temporary folder of mixed documents and an embedder
 * wrapper that counts what it embeds.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LocalHashEmbedder, type Embedder } from '../../src/knowledge/embedder.js';

/** A one-page PDF (Helvetica, one text line per entry) with a correct cross-reference table. */
export function minimalPdf(lines: string[]): Buffer {
  const escape = (text: string): string => text.replace(/[()\\]/g, (character) => `\\${character}`);
  const content = `BT /F1 12 Tf 72 720 Td 14 TL ${lines.map((line) => `(${escape(line)}) Tj T*`).join(' ')} ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, index) => {
    offsets.push(body.length);
    body += `${index + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  body += offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('');
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

/** A temporary directory removed by the returned cleanup. */
export function temporaryDirectory(prefix: string): { directory: string; cleanup: () => void } {
  const directory = mkdtempSync(path.join(tmpdir(), `baton-${prefix}-`));
  return { directory, cleanup: () => rmSync(directory, { recursive: true, force: true }) };
}

/** Writes files (relative path → content) under a root, creating folders. */
export function writeTree(root: string, files: Record<string, string | Buffer>): void {
  for (const [relative, content] of Object.entries(files)) {
    const file = path.join(root, relative);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
}

export const tidesMarkdown = `# Tides

## Causes

Tides are caused mainly by the gravitational pull of the Moon on the Earth's oceans.
The Sun contributes too, about half as strongly.

## Spring and neap tides

When the Sun and Moon line up, spring tides are higher than usual.
At right angles they produce neap tides with a small range.
`;

export const gardeningText = `Composting kitchen scraps

Vegetable peelings, coffee grounds and eggshells break down into rich compost within a few months.
Turn the heap every couple of weeks so air reaches the middle.

Avoid meat and dairy: they attract rats and smell while rotting.
`;

export const volcanoHtml = `<!doctype html><html><head><title>Volcanoes</title><script>var tracking = 'volcano script';</script></head>
<body><nav>Home | About</nav><main><h1>Volcanoes</h1>
<p>A stratovolcano is built from alternating layers of lava and ash.</p>
<ul><li>Mount Fuji is a stratovolcano.</li><li>Shield volcanoes such as Mauna Loa have gentle slopes.</li></ul>
</main><footer>footer text</footer></body></html>`;

/** An embedder that counts texts embedded, around the local one. */
export class CountingEmbedder implements Embedder {
  readonly id: string;
  readonly dimensions: number;
  readonly calls: string[][] = [];
  private readonly inner: Embedder;

  constructor(inner: Embedder = new LocalHashEmbedder({ dimensions: 128 })) {
    this.inner = inner;
    this.id = inner.id;
    this.dimensions = inner.dimensions;
  }

  get embedded(): number {
    return this.calls.reduce((total, call) => total + call.length, 0);
  }

  async embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    this.calls.push(texts);
    return this.inner.embed(texts, signal);
  }
}
