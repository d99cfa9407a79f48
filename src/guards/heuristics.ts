/**
 * The built-in prompt-injection detector: known phrasings of injected instructions ("ignore all previous instructions",
 * "reveal your system prompt", "you are now DAN", fake chat-template turns, "send the conversation to …", "approve this
 * answer", …) in English, German, French, Spanish, Italian, Portuguese, Dutch, Russian, Chinese, Japanese and Korean.
 *
 * The rules (src/guards/phrases.ts) match a detection form of the text in which the tricks that hide a phrase from a
 * naive filter are undone: escapes decoded, NFKC, case folded, diacritics, zero-width characters and soft hyphens
 * removed, look-alike letters of other scripts read as the Latin ones, whitespace collapsed, digits inside words read as
 * letters (`1gn0re`), and letters spaced out (`i g n o r e`) read together. Every position of the form maps back to the
 * original, so an excerpt is the original text behind a match.
 *
 * Precision over recall: a rule fires on an order aimed at the reader (imperative mood, second person, or addressed to
 * an AI), not on keywords, so prose and documentation that talk about instructions pass. A phrase quoted in a sentence
 * that mentions it (`attackers write "ignore previous instructions"`) is not reported; the same phrase unquoted is.
 *
 * Speed: one scan for the rules' keywords decides which rules run at all, every pattern has bounded repetition and no
 * nested quantifiers, and the whole scan of a 4 KB text takes tens of microseconds.
 */
import { decodeEscapesMapped, hasEscapes, type MappedText } from '../routing/escapes.js';
import { LEAD, LEAD_BEFORE, NEG, NOT_BEFORE, PHRASE_GROUPS, RULE_REASONS, type PhraseGroup, type RuleId } from './phrases.js';
import type { Detection, InjectionDetector } from './types.js';

/* ----------------------------------------------------------------------------------------------------------------- */
/* Character folding                                                                                                  */
/* ----------------------------------------------------------------------------------------------------------------- */

/** Characters that render as nothing: default-ignorable code points and format characters. */
const INVISIBLE = /^[\p{Default_Ignorable_Code_Point}\p{Cf}\p{Cc}\p{Cs}\p{Co}\p{Cn}]$/u;
const WHITESPACE = /^\s$/u;
const MARK = /\p{M}/gu;

/** Punctuation read as its ASCII form before decomposition (quotes, apostrophes, dashes, CJK stops). */
const PUNCTUATION: Readonly<Record<string, string>> = {
  '\u2018': "'", '\u2019': "'", '\u201a': "'", '\u201b': "'", '\u02bc': "'", '\u00b4': "'", '\u2032': "'",
  '\u201c': '"', '\u201d': '"', '\u201e': '"', '\u201f': '"', '\u00ab': '"', '\u00bb': '"', '\u2033': '"',
  '\u2010': '-', '\u2011': '-', '\u2012': '-', '\u2013': '-', '\u2014': '-', '\u2015': '-', '\u2212': '-',
  '\u3002': '.', '\u3001': ',', '\u00b7': '.', '\u30fb': '.',
};

/** Capital letters of other scripts that look like Latin capitals (read before case folding). */
const UPPER_LOOKALIKES: Readonly<Record<string, string>> = {
  А: 'a', В: 'b', Е: 'e', К: 'k', М: 'm', Н: 'h', О: 'o', Р: 'p', С: 'c', Т: 't', Х: 'x', У: 'y', Ѕ: 's', І: 'i', Ј: 'j',
  Α: 'a', Β: 'b', Ε: 'e', Ζ: 'z', Η: 'h', Ι: 'i', Κ: 'k', Μ: 'm', Ν: 'n', Ο: 'o', Ρ: 'p', Τ: 't', Υ: 'y', Χ: 'x',
};

/** Small letters that look like Latin ones (Cyrillic, Greek, IPA and a few Latin variants). */
const LOWER_LOOKALIKES: Readonly<Record<string, string>> = {
  а: 'a', в: 'b', е: 'e', к: 'k', м: 'm', н: 'h', о: 'o', п: 'n', р: 'p', с: 'c', т: 't', у: 'y', х: 'x', ѕ: 's', і: 'i',
  ј: 'j', ԁ: 'd', ԛ: 'q', ԝ: 'w', һ: 'h', ӏ: 'l', α: 'a', β: 'b', γ: 'y', ε: 'e', η: 'n', ι: 'i', κ: 'k', ν: 'v', ο: 'o',
  ρ: 'p', τ: 't', υ: 'u', χ: 'x', ω: 'w', ς: 'σ', ı: 'i', ȷ: 'j', ɑ: 'a', ɡ: 'g', ø: 'o', đ: 'd', ħ: 'h', ł: 'l', œ: 'oe',
};

/**
 * Folded forms of the code points seen so far (`null`: the character is its own folded form). Folding is a pure
 * function of the code point, so this memo is safe to share; it is cleared when it grows past its cap.
 */
const folded = new Map<number, string | null>();
const FOLD_CACHE_CAP = 20_000;

/**
 * The detection form of one non-ASCII code point: `''` for an invisible character, `' '` or `'\n'` for whitespace,
 * else its compatibility decomposition without marks, case folded, with look-alike letters read as Latin ones.
 */
function foldCodePoint(codePoint: number): string | null {
  const cached = folded.get(codePoint);
  if (cached !== undefined) return cached;
  const character = String.fromCodePoint(codePoint);
  let result: string;
  if (codePoint >= 0xe0020 && codePoint <= 0xe007e) {
    // Unicode tag characters spell ASCII invisibly ("ASCII smuggling"): read what they spell.
    result = String.fromCharCode(codePoint - 0xe0000).toLowerCase();
  } else if (codePoint >= 0x1f1e6 && codePoint <= 0x1f1ff) {
    result = String.fromCharCode(0x61 + codePoint - 0x1f1e6);
  } else if (codePoint === 0x2028 || codePoint === 0x2029 || codePoint === 0x85) {
    result = '\n';
  } else if (WHITESPACE.test(character) && codePoint !== 0xfeff) {
    result = ' ';
  } else if (INVISIBLE.test(character)) {
    result = '';
  } else {
    result = foldLetters(PUNCTUATION[character] ?? character);
  }
  if (folded.size >= FOLD_CACHE_CAP) folded.clear();
  const stored = result === character ? null : result;
  folded.set(codePoint, stored);
  return stored;
}

function foldLetters(text: string): string {
  let out = '';
  for (const part of text.normalize('NFKD')) {
    const lower = UPPER_LOOKALIKES[part] ?? part.toLowerCase();
    for (const letter of lower) out += LOWER_LOOKALIKES[letter] ?? letter;
  }
  out = out.replace(MARK, '').normalize('NFC');
  // Spacing accents decompose to a space and a mark (`¨` is ` ̈`): such a character reads as nothing.
  return out.trim() === '' && out !== '' ? '' : out;
}

/** Folds the non-ASCII characters of a pattern or keyword source the way the text is folded. */
export function foldSource(source: string): string {
  let out = '';
  for (const character of source) {
    const codePoint = character.codePointAt(0) ?? 0;
    out += codePoint < 0x80 ? character : (foldCodePoint(codePoint) ?? character);
  }
  return out;
}

/* ----------------------------------------------------------------------------------------------------------------- */
/* The detection form                                                                                                 */
/* ----------------------------------------------------------------------------------------------------------------- */

/** The detection form of a text and the way back to the original. */
export interface DetectionForm {
  /** The folded text the rules match. */
  readonly text: string;
  /** The span `[start, end)` of the original behind the non-empty span `[start, end)` of the form. */
  span(start: number, end: number): [number, number];
}

/** Whether a UTF-16 unit is ASCII that stays as it is in the form (printable, not a space). */
const isPlainAscii = (unit: number): boolean => unit > 0x20 && unit < 0x7f;

/** Letters of the scripts the foreign keywords are in (Greek, Cyrillic, CJK, kana, Hangul). */
const OTHER_SCRIPT = /[\u0370-\u04ff\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uff66-\uff9f]/;
const TABS = /\t/g;
const SPACE_RUN = / {2,}/g;
/** Line breaks with more whitespace around them, and the other line-break characters. */
const LINE_RUN = /[\n\v\f\r][\n\v\f\r \t]+|[\v\f\r]/g;
const SPACE_BEFORE_LINE = / \n/g;

/**
 * Characters to fold one by one: ASCII control characters (dropped) and non-ASCII characters, except CJK ideographs
 * and Hangul syllables, which are their own folded form.
 */
// eslint-disable-next-line no-control-regex
const TO_FOLD = /[\x00-\x08\x0e-\x1f\x7f-\u33ff\ua000-\uabff\ud7a4-\uffff]+/g;

/** Runs of characters folded ({@link foldCodePoint}); control characters and lone surrogates dropped. */
function foldNonAscii(run: string): string {
  let out = '';
  for (let index = 0; index < run.length; ) {
    const kind = classify(run, index);
    out += kind.fold ?? run.slice(index, index + kind.width);
    index += kind.width;
  }
  return out;
}

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
function decodeEscapes(text: string): string {
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

/** How the character at `index` of `source` folds (`null`: it stays as it is) and how many units it takes. */
function classify(source: string, index: number): { fold: string | null; width: number } {
  const unit = source.charCodeAt(index);
  if (unit < 0x80) {
    if (unit === 0x0a || unit === 0x0d || unit === 0x0b || unit === 0x0c) return { fold: '\n', width: 1 };
    if (unit === 0x20 || unit === 0x09) return { fold: ' ', width: 1 };
    if (unit < 0x20 || unit === 0x7f) return { fold: '', width: 1 };
    return { fold: null, width: 1 };
  }
  if (unit >= 0xd800 && unit <= 0xdbff) {
    const low = source.charCodeAt(index + 1);
    if (low >= 0xdc00 && low <= 0xdfff) return { fold: foldCodePoint(((unit - 0xd800) << 10) + (low - 0xdc00) + 0x10000), width: 2 };
    return { fold: '', width: 1 };
  }
  if (unit >= 0xdc00 && unit <= 0xdfff) return { fold: '', width: 1 };
  return { fold: foldCodePoint(unit), width: 1 };
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

const LEET: Readonly<Record<string, string>> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't' };
const LEET_PAIR = /[a-z][013457]|[013457][a-z]/g;
const LEET_DIGIT = /[013457]/g;
const WORD_UNIT = /[a-z0-9_]/;

/**
 * Digits in words where they stand next to letters read as the letters they imitate (`1gn0re` is `ignore`,
 * `pr3v10us` is `previous`); numbers stay numbers. Keeps the length, so positions are unchanged.
 */
function readLeetspeak(text: string): string {
  LEET_PAIR.lastIndex = 0;
  let pair = LEET_PAIR.exec(text);
  if (!pair) return text;
  let out = '';
  let copied = 0;
  while (pair) {
    let start = pair.index;
    while (start > copied && WORD_UNIT.test(text[start - 1] ?? '')) start -= 1;
    let end = pair.index + 2;
    while (end < text.length && WORD_UNIT.test(text[end] ?? '')) end += 1;
    out += text.slice(copied, start) + text.slice(start, end).replace(LEET_DIGIT, (digit) => LEET[digit] ?? digit);
    copied = end;
    LEET_PAIR.lastIndex = end;
    pair = LEET_PAIR.exec(text);
  }
  return out + text.slice(copied);
}

/* ----------------------------------------------------------------------------------------------------------------- */
/* Rules                                                                                                              */
/* ----------------------------------------------------------------------------------------------------------------- */

interface CompiledGroup {
  rule: RuleId;
  /** The group's patterns as one alternation (their common leading tokens hoisted): one scan per group. */
  pattern: RegExp;
  /** What each capture group (a marker) of the pattern requires. */
  markers: MarkerKind[];
}

interface Compiled {
  groups: CompiledGroup[];
  /**
   * Scans for the groups' keywords: ASCII words (tried at word starts only) and symbols, always; keywords with letters
   * of other scripts, only over text that has some.
   */
  scans: RegExp[];
  foreignScans: RegExp[];
  /** For each keyword, the groups it opens: those with one of their own keywords inside it. */
  opens: Map<string, number[]>;
  compact: Array<{ rule: RuleId; pattern: RegExp }>;
}

let compiledRules: Compiled | undefined;

/** The end of the group that opens at `start` (`(` … `)`), skipping escapes and character classes. */
function groupEnd(source: string, start: number): number {
  let depth = 0;
  let inClass = false;
  for (let index = start; index < source.length; index += 1) {
    const character = source[index];
    if (character === '\\') index += 1;
    else if (inClass) inClass = character !== ']';
    else if (character === '[') inClass = true;
    else if (character === '(') depth += 1;
    else if (character === ')' && (depth -= 1) === 0) return index + 1;
  }
  return source.length;
}

/** The regular-expression atom at `start` with its quantifier, if any: an escape, a class, a group or a character. */
function atomAt(source: string, start: number): string {
  let end: number;
  if (source[start] === '\\') end = start + 2;
  else if (source[start] === '(') end = groupEnd(source, start);
  else if (source[start] === '[') {
    end = start + 1;
    while (end < source.length && source[end] !== ']') end += source[end] === '\\' ? 2 : 1;
    end += 1;
  } else end = start + 1;
  const quantifier = /^(?:[?*+]|\{\d+(?:,\d*)?\})\??/.exec(source.slice(end));
  return source.slice(start, end + (quantifier?.[0].length ?? 0));
}

/** Whether a source is an alternation at its top level (`a|b`), which a hoisted prefix would change. */
function hasTopLevelBar(source: string): boolean {
  for (let index = 0; index < source.length; ) {
    if (source[index] === '|') return true;
    index += atomAt(source, index).length || 1;
  }
  return false;
}

/**
 * One alternation of several sources, with the atoms they all start with written once in front, so the scan for the
 * group looks for its first words once instead of once per pattern.
 */
export function alternation(given: readonly string[]): string {
  if (given.length === 1) return given[0] ?? '';
  const sources = given.map((source) => (hasTopLevelBar(source) ? `(?:${source})` : source));
  let prefix = '';
  for (;;) {
    const atom = atomAt(sources[0] ?? '', prefix.length);
    if (atom === '' || atom === '|' || !sources.every((source) => source.startsWith(prefix + atom) && source.length > prefix.length + atom.length)) break;
    prefix += atom;
  }
  return `${prefix}(?:${sources.map((source) => source.slice(prefix.length)).join('|')})`;
}

/** What a marker group requires of the text before it. */
type MarkerKind = 'lead' | 'neg';

/** The capture groups markers become: an empty one for LEAD, one holding an empty group for NEG. */
const LEAD_GROUP = '()';
const NEG_GROUP = '((?:))';

/**
 * Replaces the LEAD and NEG markers of a rule source by empty capture groups. The conditions they stand for are
 * checked on the text before the group's position once a match is found ({@link markersHold}), so the scan itself
 * runs without lookbehinds and a pattern's first words are all it looks for.
 */
export function expandMarkers(source: string): string {
  return source.split(LEAD).join(LEAD_GROUP).split(NEG).join(NEG_GROUP);
}

/** The kind of each capture group of a compiled source, in order (rule sources capture nothing else). */
function markerKinds(source: string): MarkerKind[] {
  const kinds: MarkerKind[] = [];
  for (let index = 0; index < source.length; index += 1) {
    const character = source[index];
    if (character === '\\') index += 1;
    else if (character === '[') while (index < source.length && source[index] !== ']') index += source[index] === '\\' ? 2 : 1;
    else if (source.startsWith(NEG_GROUP, index)) kinds.push('neg');
    else if (source.startsWith(LEAD_GROUP, index)) kinds.push('lead');
  }
  return kinds;
}

/** An order may start here: the start of the text, a line, a sentence or clause, or after "please", "you must", … */
const LEAD_CHECK = compilePattern(`${LEAD_BEFORE}$`, '');
/** The verb here is negated, possible, reported or a purpose ("do not ignore", "can ignore", "how to ignore"). */
const NEG_CHECK = compilePattern(`(?:${NOT_BEFORE}|n't |(?<!\\byou )\\b(?:will|to) |\\b(?:if|unless|when|once|whether) you )$`, '');
/** Characters before a marker that its check reads. */
const CHECK_REACH = 48;

/** Whether the marker groups that took part in a match hold on the text before them. */
function markersHold(match: RegExpExecArray, kinds: readonly MarkerKind[], text: string, offset: number): boolean {
  const indices = match.indices;
  if (!indices) return true;
  for (let group = 1; group < indices.length; group += 1) {
    const at = indices[group]?.[0];
    if (at === undefined) continue;
    const position = offset + at;
    const from = Math.max(0, position - CHECK_REACH);
    const before = text.slice(from, position);
    if (kinds[group - 1] === 'neg' ? NEG_CHECK.test(before) : !LEAD_CHECK.test(from === 0 ? before : `\u0000${before}`)) return false;
  }
  return true;
}

/**
 * Turns a rule source into a regular expression over the detection form: markers expanded, non-ASCII letters folded
 * like the text, and a literal space (outside a character class) standing for the one whitespace character the form
 * has between words.
 */
export function compilePattern(source: string, flags = 'g'): RegExp {
  let out = '';
  let inClass = false;
  const folded = foldSource(source);
  for (let index = 0; index < folded.length; index += 1) {
    const character = folded[index] ?? '';
    if (character === '\\') {
      out += character + (folded[index + 1] ?? '');
      index += 1;
    } else if (inClass) {
      if (character === ']') inClass = false;
      out += character;
    } else if (character === '[') {
      inClass = true;
      out += character;
    } else {
      out += character === ' ' ? '\\s' : character;
    }
  }
  return new RegExp(out, flags);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A keyword as the scan looks for it; a trailing space (`'mark '`) requires the word to end there. */
const keywordForm = (keyword: string): string => detectionForm(keyword).text.trimStart();

/** One alternation of keywords, longest first, grouped by first character (which the engine dispatches on). */
function keywordAlternation(keywords: string[]): string {
  const byFirst = new Map<string, string[]>();
  for (const keyword of [...keywords].sort((left, right) => right.length - left.length)) {
    const first = String.fromCodePoint(keyword.codePointAt(0) ?? 0);
    byFirst.set(first, [...(byFirst.get(first) ?? []), keyword.slice(first.length)]);
  }
  const branches = [...byFirst].map(([first, rests]) => `${escapeRegExp(first)}(?:${rests.map(escapeRegExp).join('|')})`);
  return branches.join('|') || '(?!)';
}

function compileRules(groups: readonly PhraseGroup[]): Compiled {
  const compiledGroups: CompiledGroup[] = [];
  const groupsByKeyword = new Map<string, number[]>();
  const compact: Compiled['compact'] = [];
  for (const group of groups) {
    const position = compiledGroups.length;
    const source = alternation(group.patterns.map(expandMarkers));
    compiledGroups.push({ rule: group.rule, pattern: compilePattern(source, 'gd'), markers: markerKinds(source) });
    for (const keyword of new Set(group.keys.map(keywordForm))) groupsByKeyword.set(keyword, [...(groupsByKeyword.get(keyword) ?? []), position]);
    for (const source of group.compact ?? []) compact.push({ rule: group.rule, pattern: compilePattern(expandMarkers(source), '') });
  }
  const keywords = [...groupsByKeyword.keys()];
  const opens = new Map<string, number[]>();
  for (const keyword of keywords) {
    // An occurrence of a keyword is an occurrence of every keyword inside it ("bypass" holds "pass").
    const inside = keywords.filter((other) => keyword.includes(other));
    opens.set(keyword, [...new Set(inside.flatMap((other) => groupsByKeyword.get(other) ?? []))]);
  }
  const ascii = (keyword: string): boolean => !/[\u0080-\uffff]/.test(keyword);
  const latin = (keyword: string): boolean => /^[a-z0-9]/.test(keyword);
  return {
    groups: compiledGroups,
    scans: [
      new RegExp(`\\b(?:${keywordAlternation(keywords.filter((keyword) => ascii(keyword) && latin(keyword)))})`, 'g'),
      new RegExp(keywordAlternation(keywords.filter((keyword) => ascii(keyword) && !latin(keyword))), 'g'),
    ],
    foreignScans: [
      new RegExp(`\\b(?:${keywordAlternation(keywords.filter((keyword) => !ascii(keyword) && latin(keyword)))})`, 'g'),
      new RegExp(keywordAlternation(keywords.filter((keyword) => /^[\u0080-\uffff]/.test(keyword))), 'g'),
    ],
    opens,
    compact,
  };
}

function rules(): Compiled {
  compiledRules ??= compileRules(PHRASE_GROUPS);
  return compiledRules;
}

/* ----------------------------------------------------------------------------------------------------------------- */
/* Detection                                                                                                          */
/* ----------------------------------------------------------------------------------------------------------------- */

const EXCERPT_LIMIT = 120;
/** Matches tried per pattern before giving up on one whose matches are all quoted mentions. */
const MATCHES_PER_PATTERN = 16;

/** Letters spaced out to slip past a filter: `i g n o r e`, `i.g.n.o.r.e`, `i-g-n-o-r-e`. */
const LETTER = '[a-z0-9\\u00aa-\\u1fff\\u2070-\\uffff]';
const SPACED_OUT_ASCII = /(?:^|[^a-z0-9])((?:[a-z0-9][ .\-_*|/+~]){3,}[a-z0-9])(?![a-z0-9])/g;
/** A cheap test for a spaced-out run: separator, letter, separator, letter, separator. */
const SPACED_HINT = /[ .\-_*|/+~][a-z0-9\u00aa-\u1fff\u2070-\uffff][ .\-_*|/+~][a-z0-9\u00aa-\u1fff\u2070-\uffff][ .\-_*|/+~]/;
const SPACED_OUT = new RegExp(`(?:^|(?!${LETTER})[\\s\\S])((?:${LETTER}[ .\\-_*|/+~]){3,}${LETTER})(?!${LETTER})`, 'g');
const NOT_LETTER = /[^\p{L}\p{N}]+/gu;
/** Characters of the form read around a spaced-out run, so the words next to it join the compacted text. */
const SPACED_CONTEXT = 48;

/** Words that introduce a quoted phrase as something talked about, not said. */
const MENTION_CUE =
  /(?:such as|like|e\.g\.,?|i\.e\.,?|for example,?|for instance,?|phrases?|strings?|texts?|words|sentences?|payloads?|patterns?|prompts?|messages?|commands?|instructions|inputs?|examples?|called|named|known as|reads?|write|writes|wrote|written|say|says|said|saying|type|types|typed|contains?|containing|includes?|including|insert(?:s|ed|ing)?|embed(?:s|ded|ding)?|hides?|hidden|hid|inject(?:s|ed|ing)?|uses?|using|try|tries|tried|attempts?|detects?|detected|flags?|flagged|blocks?|blocked|catch(?:es)?|caught|matches|match|as|or|and|,)\s?[:,]?\s?$/;
const QUOTES = '"\'`';

/**
 * Whether a match is a quoted mention: it lies inside quotes (or backticks) on one line, and the words before the
 * opening quote introduce it as an example (`attackers write "…"`, `phrases such as '…'`).
 */
function isQuotedMention(text: string, start: number, end: number): boolean {
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  for (const quote of QUOTES) {
    const open = text.lastIndexOf(quote, start - 1);
    if (open < lineStart || start - open > 200) continue;
    // An apostrophe inside a word is not a quote.
    if (quote === "'" && /[a-z]/.test(text[open - 1] ?? '') && /[a-z]/.test(text[open + 1] ?? '')) continue;
    if (text.slice(open + 1, start).includes(quote)) continue;
    const close = text.indexOf(quote, end);
    const lineEnd = text.indexOf('\n', end);
    if (close < 0 || (lineEnd >= 0 && close > lineEnd) || close - end > 200) continue;
    if (MENTION_CUE.test(text.slice(Math.max(lineStart, open - 80), open))) return true;
  }
  return false;
}

/** The original text behind a span, without control characters, at most {@link EXCERPT_LIMIT} characters. */
function excerptOf(original: string, from: number, to: number): string {
  const raw = original.slice(from, Math.min(to, from + EXCERPT_LIMIT * 4));
  const clean = raw.replace(/[\p{Cc}\p{Cf}\p{Cs}]+/gu, (run) => (/[\n\r\t]/.test(run) ? ' ' : '')).replace(/ {2,}/g, ' ').trim();
  const characters = [...clean];
  return characters.length <= EXCERPT_LIMIT ? clean : characters.slice(0, EXCERPT_LIMIT).join('');
}

/** A group to run and the stretches of the form around its keywords, where its matches can be. */
interface OpenedGroup {
  position: number;
  windows: Array<[number, number]>;
}

/**
 * How far before and after a keyword a match that contains it can reach, with room for the lookbehind checks before
 * the match (keywords sit at most about a hundred characters into a match; the longest matches, hidden styled text,
 * are under 600 characters).
 */
const WINDOW_BEFORE = 200;
const WINDOW_AFTER = 640;

/**
 * The rule groups whose keywords occur in the form, in table order, each with the windows around its keywords. Every
 * match of a group contains one of its keywords, so the windows hold them all.
 */
function openedGroups(text: string, foreign: boolean, compiled: Compiled): OpenedGroup[] {
  const positions: Array<number[] | undefined> = [];
  for (const scan of foreign ? [...compiled.scans, ...compiled.foreignScans] : compiled.scans) {
    scan.lastIndex = 0;
    for (let match = scan.exec(text); match; match = scan.exec(text)) {
      for (const position of compiled.opens.get(match[0]) ?? []) (positions[position] ??= []).push(match.index);
      // Restart just after the keyword's start, so keywords that overlap ("do not", "not reject") are all found.
      scan.lastIndex = match.index + 1;
    }
  }
  const opened: OpenedGroup[] = [];
  positions.forEach((at, position) => {
    if (at) opened.push({ position, windows: windowsAround(at, text.length) });
  });
  return opened;
}

/** Windows covering more than this share of the text are replaced by one scan of the whole text. */
const WHOLE_TEXT_SHARE = 0.6;

/** Merged stretches `[start, end)` around keyword positions. */
function windowsAround(positions: number[], length: number): Array<[number, number]> {
  positions.sort((left, right) => left - right);
  const windows: Array<[number, number]> = [];
  for (const at of positions) {
    const start = Math.max(0, at - WINDOW_BEFORE);
    const end = Math.min(length, at + WINDOW_AFTER);
    const last = windows[windows.length - 1];
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else windows.push([start, end]);
  }
  const covered = windows.reduce((sum, [start, end]) => sum + end - start, 0);
  return covered > length * WHOLE_TEXT_SHARE ? [[0, length]] : windows;
}

/** Detections in texts whose letters were spaced out, matched on the text around the run with all spacing removed. */
function spacedOut(form: DetectionForm, original: string, foreign: boolean, compiled: Compiled, found: Map<RuleId, Detection>): void {
  const text = form.text;
  if (!SPACED_HINT.test(text)) return;
  const spaced = foreign ? SPACED_OUT : SPACED_OUT_ASCII;
  spaced.lastIndex = 0;
  let windowEnd = -1;
  for (let run = spaced.exec(text); run; run = spaced.exec(text)) {
    const end = run.index + run[0].length;
    const runStart = end - (run[1]?.length ?? 0);
    if (end <= windowEnd) continue;
    const from = Math.max(0, runStart - SPACED_CONTEXT);
    windowEnd = Math.min(text.length, end + SPACED_CONTEXT);
    const compact = text.slice(from, windowEnd).replace(NOT_LETTER, '');
    for (const { rule, pattern } of compiled.compact) {
      if (found.has(rule) || !pattern.test(compact)) continue;
      const [start, stop] = form.span(from, windowEnd);
      found.set(rule, detection(rule, excerptOf(original, start, stop)));
    }
  }
}

function detection(rule: RuleId, excerpt: string): Detection {
  const found: Detection = { detector: 'heuristic', rule, score: 1, reason: RULE_REASONS[rule] };
  if (excerpt) found.excerpt = excerpt;
  return found;
}

/**
 * Finds known injection phrasings in `text`: at most one detection per rule, each with score 1, a reason and the
 * original text of its first match. Pure and synchronous; never throws on any string.
 */
export function detectInjection(text: string): Detection[] {
  if (typeof text !== 'string' || text.length === 0) return [];
  const compiled = rules();
  const form = detectionForm(text);
  const foreign = OTHER_SCRIPT.test(form.text);
  const found = new Map<RuleId, Detection>();
  for (const { position, windows } of openedGroups(form.text, foreign, compiled)) {
    const group = compiled.groups[position];
    if (!group || found.has(group.rule)) continue;
    for (const [from, to] of windows) {
      const hit = firstReported(group, form.text, from, to);
      if (!hit) continue;
      const [start, end] = form.span(hit[0], hit[1]);
      found.set(group.rule, detection(group.rule, excerptOf(text, start, end)));
      break;
    }
  }
  spacedOut(form, text, foreign, compiled, found);
  const smuggled = tagSmuggling(text);
  if (smuggled !== undefined && !found.has('hidden-instruction')) found.set('hidden-instruction', detection('hidden-instruction', smuggled));
  return [...found.values()];
}

/** Runs of Unicode tag characters (U+E0020-E007E), which spell ASCII invisibly; a flag emoji's tag sequence aside. */
const TAG_RUN = /(?:\udb40[\udc20-\udc7e]){4,}/g;
const BLACK_FLAG = '\ud83c\udff4';

/** What hidden tag characters spell (`[hidden: …]`), when the text holds a run of them that is not a flag. */
function tagSmuggling(text: string): string | undefined {
  if (!text.includes('\udb40')) return undefined;
  TAG_RUN.lastIndex = 0;
  for (let run = TAG_RUN.exec(text); run; run = TAG_RUN.exec(text)) {
    if (text.slice(Math.max(0, run.index - 2), run.index) === BLACK_FLAG) continue;
    let spelled = '';
    for (let index = 1; index < run[0].length; index += 2) spelled += String.fromCharCode(run[0].charCodeAt(index) - 0xdc00);
    return `[hidden: ${spelled}]`.slice(0, EXCERPT_LIMIT);
  }
  return undefined;
}

/**
 * The span of the first match of `pattern` in the window `[from, to)` of `text` that is not a quoted mention. The
 * window is matched as a string of its own that starts at a line start when one is near, so `^` and the line-start
 * checks of the patterns keep their meaning.
 */
function firstReported(group: CompiledGroup, text: string, from: number, to: number): [number, number] | undefined {
  const pattern = group.pattern;
  let start = from;
  if (start > 0) {
    const lineStart = text.lastIndexOf('\n', start - 1) + 1;
    start = from - lineStart <= WINDOW_BEFORE ? lineStart : text.indexOf(' ', start) + 1 || start;
  }
  const newline = to < text.length ? text.indexOf('\n', to) : -1;
  const end = newline >= 0 && newline - to <= WINDOW_BEFORE ? newline : to;
  const window = start === 0 && end === text.length ? text : text.slice(start, end);
  pattern.lastIndex = 0;
  for (let attempt = 0; attempt < MATCHES_PER_PATTERN; attempt += 1) {
    const match = pattern.exec(window);
    if (!match) return undefined;
    const matchStart = start + match.index;
    const matchEnd = matchStart + Math.max(1, match[0].length);
    if (!markersHold(match, group.markers, text, start)) {
      // Another alternative may match a little further on.
      pattern.lastIndex = match.index + 1;
      continue;
    }
    if (!isQuotedMention(text, matchStart, matchEnd)) return [matchStart, matchEnd];
    pattern.lastIndex = match.index + Math.max(1, match[0].length);
  }
  return undefined;
}

/** The built-in heuristics as an {@link InjectionDetector} (`guards.heuristics`). */
export const heuristicDetector: InjectionDetector = {
  name: 'heuristic',
  detect: (text: string): Detection[] => detectInjection(text),
};
