/**
 * Text as detectors should see it. Confidential data hides in look-alike forms: a full-width `＠`, a zero-width space
 * inside an e-mail address, full-width digits in a card number, escapes (`john%40example.com`, `password%3D…`,
 * `M\\u00f6tley`). Detectors run over the decoded NFKC form with invisible characters removed, and every position in
 * that form maps back to the original text, so a redaction replaces exactly the original characters behind a match.
 */
import { decodeEscapesMapped, hasEscapes, type MappedText } from './escapes.js';

/**
 * Characters that render as nothing and split a token without a reader noticing: Unicode's default-ignorable code
 * points (zero-width spaces and joiners, soft hyphen, combining grapheme joiner, variation selectors, tag characters,
 * Hangul fillers) and format characters (bidi controls and the like).
 */
const INVISIBLE = /[\p{Default_Ignorable_Code_Point}\p{Cf}]/u;

/** True when the text holds only ASCII, whose NFKC form is itself: the common case, with no mapping to build. */
function isAscii(text: string): boolean {
  for (let index = 0; index < text.length; index += 1) if (text.charCodeAt(index) > 0x7e) return false;
  return true;
}

/** True when the text holds only ASCII and the spotlighting marks (U+02C6 datamark, « and » boundaries). */
function isAsciiOrMarks(text: string): boolean {
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code > 0x7e && code !== 0x02c6 && code !== 0xab && code !== 0xbb) return false;
  }
  return true;
}

const DECIMAL_DIGIT = /\p{Nd}/u;

/**
 * The ASCII digit a decimal digit of another script stands for (Arabic-Indic `٤` is 4, Devanagari `४` is 4), which
 * NFKC leaves as it is. Unicode lays each script's digits out as a run of ten from zero.
 */
function asciiDigit(character: string): string | undefined {
  const code = character.codePointAt(0) ?? 0;
  if (code < 0x80 || !DECIMAL_DIGIT.test(character)) return undefined;
  // NFKC knows the value of compatibility digits (full-width, mathematical styles laid out back to back).
  const compatible = character.normalize('NFKC');
  if (/^[0-9]$/.test(compatible)) return compatible;
  let offset = 0;
  while (offset < 9 && DECIMAL_DIGIT.test(String.fromCodePoint(code - offset - 1))) offset += 1;
  return String(offset);
}

/** The detection form of a text and, for each of its UTF-16 units, the span of the original it came from. */
export interface NormalisedText {
  readonly text: string;
  /** `starts[i]`: index in the original where the character behind unit `i` begins. Empty when identity. */
  readonly starts: readonly number[];
  /** `ends[i]`: index in the original just past that character. Empty when identity. */
  readonly ends: readonly number[];
  /** True when positions map to themselves: `text` is the original, or it with datamarks read as spaces. */
  readonly identity: boolean;
}

type Mapped = MappedText;

/** NFKC per character, invisible characters dropped, digits of other scripts as ASCII; spans mapped through `input`. */
function foldCharacters(input: Mapped): Mapped {
  const pieces: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  let offset = 0;
  for (const character of input.text) {
    const end = offset + character.length;
    if (!INVISIBLE.test(character)) {
      // The datamark of spotlighted text (src/guards/spotlight.ts) stands for a space: detectors see the words as written.
      const normal = character === '\u02C6' ? ' ' : (asciiDigit(character) ?? character.normalize('NFKC'));
      pieces.push(normal);
      const from = input.starts[offset] ?? offset;
      const to = input.ends[end - 1] ?? end;
      for (let unit = 0; unit < normal.length; unit += 1) {
        starts.push(from);
        ends.push(to);
      }
    }
    offset = end;
  }
  return { text: pieces.join(''), starts, ends };
}

/** The identity mapping of a text. */
function identityOf(text: string): Mapped {
  const starts = new Array<number>(text.length);
  const ends = new Array<number>(text.length);
  for (let index = 0; index < text.length; index += 1) {
    starts[index] = index;
    ends[index] = index + 1;
  }
  return { text, starts, ends };
}

/** The normalised form of a text: escapes decoded, then characters folded, with the map back to the original. */
export function normaliseForDetection(original: string): NormalisedText {
  const escaped = hasEscapes(original);
  if (!escaped && isAscii(original)) return { text: original, starts: [], ends: [], identity: true };
  // Spotlighted text (ASCII words joined by the datamark, between « » boundaries) is the common prompt: each mark is
  // one unit read as one unit (the datamark as a space, the boundaries as themselves), so positions stay the same.
  if (!escaped && isAsciiOrMarks(original)) return { text: original.replaceAll('\u02C6', ' '), starts: [], ends: [], identity: true };
  let mapped = identityOf(original);
  if (escaped) {
    // Up to three rounds, so text escaped twice (`%253D`, percent-encoded JSON escapes) is undone too.
    for (let round = 0; round < 3; round += 1) {
      const decoded = decodeEscapesMapped(mapped);
      if (decoded === undefined) break;
      mapped = decoded;
    }
  }
  if (!isAscii(mapped.text)) mapped = foldCharacters(mapped);
  return mapped.text === original ? { text: original, starts: [], ends: [], identity: true } : { ...mapped, identity: false };
}

/** The original span `[start, end)` behind a non-empty span of the normalised text. */
export function originalSpan(normalised: NormalisedText, start: number, end: number): [number, number] {
  if (normalised.identity) return [start, end];
  return [normalised.starts[start] ?? 0, normalised.ends[Math.max(start, end - 1)] ?? 0];
}
