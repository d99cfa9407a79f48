/**
 * Escaped forms of text that detectors must see through: percent-encoding (`john%40example.com`, `password%3D…`,
 * encoded twice as `%253D`) and JSON/JavaScript escapes (`M\u00f6tley`, `sk-\u0045…`, `\x41`). Decoding is lenient:
 * a malformed escape stays as it is. Every decoded character keeps the span of the escape it came from, so a match in
 * the decoded text redacts exactly the escaped characters behind it.
 */

const ESCAPE = /%[0-9A-Fa-f]{2}|\\u[0-9A-Fa-f]{4}|\\u\{[0-9A-Fa-f]{1,6}\}|\\x[0-9A-Fa-f]{2}/;
/** Runs of escapes decoded together (a UTF-8 sequence, a surrogate pair), or one `\u{…}` / `\xXX`. */
const ESCAPE_RUN = /(?:%[0-9A-Fa-f]{2})+|(?:\\u[0-9A-Fa-f]{4})+|\\u\{[0-9A-Fa-f]{1,6}\}|\\x[0-9A-Fa-f]{2}/g;

/** Whether the text holds any escape worth decoding. */
export function hasEscapes(text: string): boolean {
  return (text.includes('%') || text.includes('\\')) && ESCAPE.test(text);
}

/** One run of escapes as the text it stands for, or undefined when it is malformed. */
function decodeRun(run: string): string | undefined {
  if (run.startsWith('%')) {
    try {
      return decodeURIComponent(run);
    } catch {
      return undefined;
    }
  }
  if (run.startsWith('\\u{')) {
    const value = Number.parseInt(run.slice(3, -1), 16);
    return value <= 0x10ffff ? String.fromCodePoint(value) : undefined;
  }
  if (run.startsWith('\\x')) return String.fromCharCode(Number.parseInt(run.slice(2), 16));
  return run
    .split('\\u')
    .slice(1)
    .map((hex) => String.fromCharCode(Number.parseInt(hex, 16)))
    .join('');
}

/** A text with, for each UTF-16 unit, the span `[starts[i], ends[i])` of the original it came from. */
export interface MappedText {
  text: string;
  starts: number[];
  ends: number[];
}

/** One round of decoding, mapped through `input`; undefined when nothing was decoded. */
export function decodeEscapesMapped(input: MappedText): MappedText | undefined {
  if (!hasEscapes(input.text)) return undefined;
  const pieces: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  let cursor = 0;
  let changed = false;
  const copy = (from: number, to: number): void => {
    pieces.push(input.text.slice(from, to));
    for (let index = from; index < to; index += 1) {
      starts.push(input.starts[index] ?? index);
      ends.push(input.ends[index] ?? index + 1);
    }
  };
  for (const match of input.text.matchAll(ESCAPE_RUN)) {
    const at = match.index ?? 0;
    const decoded = decodeRun(match[0]);
    if (decoded === undefined) continue;
    copy(cursor, at);
    const from = input.starts[at] ?? at;
    const to = input.ends[at + match[0].length - 1] ?? at + match[0].length;
    pieces.push(decoded);
    for (let unit = 0; unit < decoded.length; unit += 1) {
      starts.push(from);
      ends.push(to);
    }
    cursor = at + match[0].length;
    changed = true;
  }
  if (!changed) return undefined;
  copy(cursor, input.text.length);
  return { text: pieces.join(''), starts, ends };
}
