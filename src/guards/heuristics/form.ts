/**
 * The detection form of a text, which the rules match: escapes decoded, characters folded (./fold.ts), whitespace
 * collapsed and leetspeak read as letters, with a map from every position of the form back to the original.
 */
import { decodeEscapesMapped, hasEscapes, type MappedText } from '../../routing/escapes.js';
import { classify, foldNonAscii, readLeetspeak, TO_FOLD } from './fold.js';

/** The detection form of a text and the way back to the original. */
export interface DetectionForm {
  /** The folded text the rules match. */
  readonly text: string;
  /** The span `[start, end)` of the original behind the non-empty span `[start, end)` of the form. */
  span(start: number, end: number): [number, number];
}

/** Whether a UTF-16 unit is ASCII that stays as it is in the form (printable, not a space). */
const isPlainAscii = (unit: number): boolean => unit > 0x20 && unit < 0x7f;

const TABS = /\t/g;
const SPACE_RUN = / {2,}/g;
/** Line breaks with more whitespace around them, and the other line-break characters. */
const LINE_RUN = /[\n\v\f\r][\n\v\f\r \t]+|[\v\f\r]/g;
const SPACE_BEFORE_LINE = / \n/g;

const ESCAPE_RUN = /(?:%[0-9A-Fa-f]{2})+|(?:\\u[0-9A-Fa-f]{4})+|\\u\{[0-9A-Fa-f]{1,6}\}|\\x[0-9A-Fa-f]{2}/g;

/** One run of escapes as the text it stands for; the run itself when it is malformed. */
function decodeRun(run: string): string {
  if (run.startsWith('%')) {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  }
  if (run.startsWith('\\u{')) {
    const value = Number.parseInt(run.slice(3, -1), 16);
    return value <= 0x10ffff ? String.fromCodePoint(value) : run;
  }
  if (run.startsWith('\\x')) return String.fromCharCode(Number.parseInt(run.slice(2), 16));
  return run.split('\\u').slice(1).map((hex) => String.fromCharCode(Number.parseInt(hex, 16))).join('');
}

/** Escapes decoded as src/routing/escapes.ts decodes them (up to three rounds), without the map. */
export function decodeEscapes(text: string): string {
  let out = text;
  for (let round = 0; round < 3 && hasEscapes(out); round += 1) {
    const next = out.replace(ESCAPE_RUN, decodeRun);
    if (next === out) break;
    out = next;
  }
  return out;
}

/**
 * The detection form of a text, folded with a few native string operations (escapes decoded, non-ASCII characters
 * folded one by one). The map back to the original is built only when a span is asked for (a detection to report),
 * by {@link mappedForm}, which builds the same form character by character.
 */
export function detectionForm(original: string): DetectionForm {
  let text = (hasEscapes(original) ? decodeEscapes(original) : original).replace(TO_FOLD, foldNonAscii).toLowerCase();
  if (text.includes('\t')) text = text.replace(TABS, ' ');
  if (text.includes('  ')) text = text.replace(SPACE_RUN, ' ');
  text = text.replace(LINE_RUN, '\n');
  if (text.includes(' \n')) text = text.replace(SPACE_BEFORE_LINE, '\n');
  text = readLeetspeak(text);
  let mapped: DetectionForm | undefined;
  return {
    text,
    span: (start, end) => {
      mapped ??= mappedForm(original);
      return mapped.span(start, end);
    },
  };
}

/**
 * Builds the detection form with its map back to the original. Runs of the input that stay as they are (after ASCII
 * lower-casing) are copied in one slice; every other piece is recorded as a segment so positions map back.
 */
export function mappedForm(original: string): DetectionForm {
  let input: MappedText | undefined;
  if (hasEscapes(original)) {
    let mapped: MappedText = identityOf(original);
    let changed = false;
    for (let round = 0; round < 3; round += 1) {
      const decoded = decodeEscapesMapped(mapped);
      if (decoded === undefined) break;
      mapped = decoded;
      changed = true;
    }
    if (changed) input = mapped;
  }
  const source = input?.text ?? original;
  let lower = source.includes('\u0130') ? source.replace(/\u0130/g, 'I').toLowerCase() : source.toLowerCase();
  if (lower.length !== source.length) lower = asciiLower(source);

  const pieces: string[] = [];
  let outLength = 0;
  // Segments: where each piece starts in the form and in `source`, and (for replacements) where it ends in `source`.
  const segmentOut: number[] = [];
  const segmentFrom: number[] = [];
  const segmentTo: number[] = [];
  const push = (piece: string, from: number, to: number): void => {
    if (piece === '') return;
    segmentOut.push(outLength);
    segmentFrom.push(from);
    segmentTo.push(to);
    pieces.push(piece);
    outLength += piece.length;
  };
  let runStart = 0;
  const flush = (at: number): void => {
    if (at > runStart) push(lower.slice(runStart, at), runStart, -1);
  };

  const length = lower.length;
  let index = 0;
  while (index < length) {
    const unit = lower.charCodeAt(index);
    if (isPlainAscii(unit)) {
      index += 1;
      continue;
    }
    // A single space or line break between plain characters stays as it is.
    if ((unit === 0x20 || unit === 0x0a) && index + 1 < length && isPlainAscii(lower.charCodeAt(index + 1)) && index > runStart) {
      index += 1;
      continue;
    }
    const kind = classify(source, index);
    if (kind.fold === null) {
      index += kind.width;
      continue;
    }
    if (kind.fold !== '' && kind.fold !== ' ' && kind.fold !== '\n') {
      flush(index);
      push(kind.fold, index, index + kind.width);
      index += kind.width;
      runStart = index;
      continue;
    }
    // A run of whitespace and invisible characters: one space, or one line break when it holds one.
    let end = index;
    let space = '';
    while (end < length) {
      const code = source.charCodeAt(end);
      if (code < 0x80) {
        if (code === 0x20 || code === 0x09) space ||= ' ';
        else if (code >= 0x0a && code <= 0x0d) space = '\n';
        else if (code > 0x20 && code !== 0x7f) break;
        end += 1;
        continue;
      }
      const next = classify(source, end);
      if (next.fold === '\n') space = '\n';
      else if (next.fold === ' ') space ||= ' ';
      else if (next.fold !== '') break;
      end += next.width;
    }
    flush(index);
    push(space, index, end);
    index = end;
    runStart = end;
  }
  flush(length);
  const text = readLeetspeak(pieces.join(''));

  const span = (start: number, end: number): [number, number] => {
    const from = locate(start, false);
    const to = locate(Math.max(start, end - 1), true);
    if (!input) return [from, to];
    return [input.starts[from] ?? from, input.ends[Math.max(from, to - 1)] ?? to];
  };
  /** The position in `source` of form position `at`: where its character starts, or (`end`) just past it. */
  const locate = (at: number, end: boolean): number => {
    let low = 0;
    let high = segmentOut.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((segmentOut[middle] ?? 0) <= at) low = middle;
      else high = middle - 1;
    }
    const from = segmentFrom[low] ?? 0;
    const to = segmentTo[low] ?? -1;
    if (to >= 0) return end ? to : from;
    const offset = from + (at - (segmentOut[low] ?? 0));
    return end ? offset + 1 : offset;
  };
  return { text, span };
}

function asciiLower(text: string): string {
  return text.replace(/[A-Z]/g, (letter) => letter.toLowerCase());
}

function identityOf(text: string): MappedText {
  const starts = new Array<number>(text.length);
  const ends = new Array<number>(text.length);
  for (let index = 0; index < text.length; index += 1) {
    starts[index] = index;
    ends[index] = index + 1;
  }
  return { text, starts, ends };
}
