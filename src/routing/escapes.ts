/**
 * Escaped forms of text that detectors must see through: percent-encoding (`john%40example.com`, `password%3D…`,
 * encoded twice as `%253D`) and JSON/JavaScript escapes (`M\u00f6tley`, `sk-\u0045…`, `\x41`). Decoding is lenient:
 * a malformed escape stays as it is.
 */

const ESCAPE = /%[0-9A-Fa-f]{2}|\\u[0-9A-Fa-f]{4}|\\u\{[0-9A-Fa-f]{1,6}\}|\\x[0-9A-Fa-f]{2}/;

/** A run of text (a URL, a path, a form body, a JSON string) holding at least one escape. */
export const ESCAPED_TOKEN = /[^\s"'<>]*(?:%[0-9A-Fa-f]{2}|\\u[0-9A-Fa-f]{4}|\\u\{[0-9A-Fa-f]{1,6}\}|\\x[0-9A-Fa-f]{2})[^\s"'<>]*/g;

/** Whether the text holds any escape worth decoding. */
export function hasEscapes(text: string): boolean {
  return (text.includes('%') || text.includes('\\')) && ESCAPE.test(text);
}

function codePoint(hex: string, whole: string): string {
  const value = Number.parseInt(hex, 16);
  return value <= 0x10ffff ? String.fromCodePoint(value) : whole;
}

/** One round of decoding: percent-encoded UTF-8 runs, `\uXXXX` (surrogate pairs included), `\u{…}` and `\xXX`. */
function decodeOnce(text: string): string {
  return text
    .replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    })
    .replace(/(?:\\u[0-9A-Fa-f]{4})+/g, (run) => run.split('\\u').slice(1).map((hex) => String.fromCharCode(Number.parseInt(hex, 16))).join(''))
    .replace(/\\u\{([0-9A-Fa-f]{1,6})\}/g, (whole, hex: string) => codePoint(hex, whole))
    .replace(/\\x([0-9A-Fa-f]{2})/g, (_whole, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

/** Decodes escapes, up to three rounds, so text escaped twice (or percent-encoded JSON) is undone too. */
export function decodeEscapes(text: string): string {
  let current = text;
  for (let round = 0; round < 3 && hasEscapes(current); round += 1) {
    const next = decodeOnce(current);
    if (next === current) break;
    current = next;
  }
  return current;
}
