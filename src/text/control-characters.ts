/**
 * Characters that change how a terminal or a text renderer shows what follows them, rather than showing themselves:
 * C0 and C1 controls (ESC starts colour and cursor sequences, CR overwrites a line, U+009B is a one-byte CSI), DEL,
 * and the Unicode bidirectional controls that reorder text on screen ("Trojan Source"). Goals refuse them
 * (see `runtime/goal.ts`); everything printed to a terminal escapes them (see `cli/terminal-text.ts`).
 */

/** Short names of the characters people most often meet, for messages. */
const NAMES: Readonly<Record<number, string>> = {
  0x00: 'NUL',
  0x07: 'BEL',
  0x08: 'BACKSPACE',
  0x09: 'TAB',
  0x0a: 'LINE FEED',
  0x0b: 'VERTICAL TAB',
  0x0c: 'FORM FEED',
  0x0d: 'CARRIAGE RETURN',
  0x1b: 'ESC',
  0x7f: 'DEL',
  0x85: 'NEXT LINE',
  0x9b: 'CSI',
  0x061c: 'ARABIC LETTER MARK',
  0x200e: 'LEFT-TO-RIGHT MARK',
  0x200f: 'RIGHT-TO-LEFT MARK',
  0x202a: 'LEFT-TO-RIGHT EMBEDDING',
  0x202b: 'RIGHT-TO-LEFT EMBEDDING',
  0x202c: 'POP DIRECTIONAL FORMATTING',
  0x202d: 'LEFT-TO-RIGHT OVERRIDE',
  0x202e: 'RIGHT-TO-LEFT OVERRIDE',
  0x2066: 'LEFT-TO-RIGHT ISOLATE',
  0x2067: 'RIGHT-TO-LEFT ISOLATE',
  0x2068: 'FIRST STRONG ISOLATE',
  0x2069: 'POP DIRECTIONAL ISOLATE',
  0x00ad: 'SOFT HYPHEN',
  0x200b: 'ZERO WIDTH SPACE',
  0x200c: 'ZERO WIDTH NON-JOINER',
  0x200d: 'ZERO WIDTH JOINER',
  0x2028: 'LINE SEPARATOR',
  0x2029: 'PARAGRAPH SEPARATOR',
  0xfeff: 'ZERO WIDTH NO-BREAK SPACE',
};

/** C0 controls, DEL and C1 controls (Unicode category Cc). */
export function isControlCharacter(codePoint: number): boolean {
  return codePoint <= 0x1f || (codePoint >= 0x7f && codePoint <= 0x9f);
}

/** Bidi embeddings, overrides and isolates (U+202A-202E, U+2066-2069): they reorder the text after them. */
export function isBidiOverride(codePoint: number): boolean {
  return (codePoint >= 0x202a && codePoint <= 0x202e) || (codePoint >= 0x2066 && codePoint <= 0x2069);
}

/** Invisible bidi marks (LRM, RLM, ALM): legitimate in right-to-left text, but invisible on a terminal. */
export function isBidiMark(codePoint: number): boolean {
  return codePoint === 0x200e || codePoint === 0x200f || codePoint === 0x061c;
}

/**
 * A UTF-16 surrogate standing alone (U+D800-DFFF). Iterating a string by code points yields one only when it has no
 * partner: such a string is not well-formed Unicode, cannot be encoded as UTF-8 and shows as a replacement character.
 */
export function isLoneSurrogate(codePoint: number): boolean {
  return codePoint >= 0xd800 && codePoint <= 0xdfff;
}

const FORMAT = /^\p{Cf}$/u;

/**
 * Characters a name shown to people must not hold because they are invisible or rearrange what is shown: controls,
 * format characters (Unicode Cf: bidi controls and marks, zero-width spaces and joiners, soft hyphen, BOM), the line
 * and paragraph separators U+2028/2029, and lone surrogates.
 */
export function isInvisibleOrFormatCharacter(codePoint: number): boolean {
  return isControlCharacter(codePoint) || isLoneSurrogate(codePoint) || codePoint === 0x2028 || codePoint === 0x2029 || FORMAT.test(String.fromCodePoint(codePoint));
}

/** `U+001B (ESC)`: a character as a person can read it in a message. */
export function describeCodePoint(codePoint: number): string {
  const hex = `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
  const name = NAMES[codePoint] ?? (isControlCharacter(codePoint) ? 'control character' : isLoneSurrogate(codePoint) ? 'unpaired surrogate' : undefined);
  return name ? `${hex} (${name})` : hex;
}

/** Where a character stands in a text, 1-based, counted in characters (code points). */
export interface TextPosition {
  codePoint: number;
  /** Position in the whole text. */
  position: number;
  line: number;
  column: number;
}

/** The first character of `text` for which `refuse` is true, with its position; undefined when there is none. */
export function findCharacter(text: string, refuse: (codePoint: number, next: number | undefined) => boolean): TextPosition | undefined {
  const codePoints = Array.from(text, (character) => character.codePointAt(0) ?? 0);
  let line = 1;
  let column = 0;
  for (const [index, codePoint] of codePoints.entries()) {
    column += 1;
    if (refuse(codePoint, codePoints[index + 1])) return { codePoint, position: index + 1, line, column };
    if (codePoint === 0x0a) {
      line += 1;
      column = 0;
    }
  }
  return undefined;
}

/** `\u001b`: the escape shown in place of a neutralised character (the JSON and JavaScript spelling). */
export function escapeCodePoint(codePoint: number): string {
  return codePoint > 0xffff ? `\\u{${codePoint.toString(16)}}` : `\\u${codePoint.toString(16).padStart(4, '0')}`;
}

// C0 and C1 controls, DEL, bidi overrides/isolates and marks, plus CR LF pairs (kept apart so they can become LF).
// Matching control characters is the point of this expression.
// eslint-disable-next-line no-control-regex
const NEUTRALISED = /\r\n|[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Replaces every control and bidi character with a visible escape (`ESC` becomes the six characters `\u001b`), so
 * that text from goals, documents or models cannot recolour, move the cursor, overwrite or reorder what a terminal
 * shows. With `multiline`, newline and tab are kept and CR LF becomes LF; without it they are escaped too, for text
 * that must stay on one line (a table cell, a progress line).
 */
export function escapeControlCharacters(text: string, options: { multiline?: boolean } = {}): string {
  const multiline = options.multiline ?? true;
  return text.replace(NEUTRALISED, (match) => {
    if (match === '\r\n') return multiline ? '\n' : '\\u000d\\u000a';
    if (multiline && (match === '\n' || match === '\t')) return match;
    return escapeCodePoint(match.codePointAt(0) ?? 0);
  });
}
