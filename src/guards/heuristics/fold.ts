/**
 * Character folding for the heuristic injection detector: each character read the way the rules are written, so the
 * tricks that hide a phrase from a naive filter are undone (NFKC, case, diacritics, invisible characters, look-alike
 * letters of other scripts, Unicode tag characters, digits standing in for letters).
 */

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

/**
 * Characters to fold one by one: ASCII control characters (dropped) and non-ASCII characters, except CJK ideographs
 * and Hangul syllables, which are their own folded form.
 */
// eslint-disable-next-line no-control-regex
export const TO_FOLD = /[\x00-\x08\x0e-\x1f\x7f-\u33ff\ua000-\uabff\ud7a4-\uffff]+/g;

/** Runs of characters folded ({@link foldCodePoint}); control characters and lone surrogates dropped. */
export function foldNonAscii(run: string): string {
  let out = '';
  for (let index = 0; index < run.length; ) {
    const kind = classify(run, index);
    out += kind.fold ?? run.slice(index, index + kind.width);
    index += kind.width;
  }
  return out;
}

/** How the character at `index` of `source` folds (`null`: it stays as it is) and how many units it takes. */
export function classify(source: string, index: number): { fold: string | null; width: number } {
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

const LEET: Readonly<Record<string, string>> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't' };
const LEET_PAIR = /[a-z][013457]|[013457][a-z]/g;
const LEET_DIGIT = /[013457]/g;
const WORD_UNIT = /[a-z0-9_]/;

/**
 * Digits in words where they stand next to letters read as the letters they imitate (`1gn0re` is `ignore`,
 * `pr3v10us` is `previous`); numbers stay numbers. Keeps the length, so positions are unchanged.
 */
export function readLeetspeak(text: string): string {
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
