/**
 * Tokenising for the claim checks: content terms (stemmed; an identifier is one term, matched however the other side
 * writes it), the plain word sequence (names are matched against it) and numbers. Shared by every check so a claim, its
 * quotes, a question and the goal are all cut the same way; a term that matches in one check matches in all of them.
 */
import { contentTerms } from '../knowledge/text.js';
import { stem } from './stem.js';
import { canonicalStemmer, rewritePhrases } from '../text/lexicon.js';

/** The checks' stemmer, reading the words of one lexicon group as one. */
export const canonicalStem = canonicalStemmer(stem);

/** A content term: `term` is what is compared, `word` what a message shows. */
export interface Term {
  term: string;
  word: string;
}

/** A number as written (`10MB`'s `10`, `1,000`, `v1.2.3`) and the value it is compared by. */
export interface NumberMention {
  text: string;
  value: string;
}

/**
 * Number words a claim may write instead of digits. "one" is left out: it is far more often a pronoun ("the one
 * that...") than a count, and asking a quote to contain it would fail paraphrases for nothing.
 */
const NUMBER_WORDS: Readonly<Record<string, string>> = {
  zero: '0',
  two: '2',
  three: '3',
  four: '4',
  five: '5',
  six: '6',
  seven: '7',
  eight: '8',
  nine: '9',
  ten: '10',
  eleven: '11',
  twelve: '12',
};

/**
 * Breaks camelCase and PascalCase apart ("ignoreTrailingSlash" → "ignore Trailing Slash", "HTTPServer" → "HTTP
 * Server", "10MB" → "10 MB"; a plural acronym such as "CPUs" stays whole). Underscores, dots and hyphens already
 * separate words for `contentTerms`.
 */
export function splitIdentifierCase(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/([\p{Ll}\p{N}])(\p{Lu})/gu, '$1 $2')
    .replace(/(\p{Lu})(\p{Lu}\p{Ll}{2})/gu, '$1 $2');
}

/** The words of a text as written: runs of letters and digits. */
function tokens(text: string): string[] {
  return rewritePhrases(text.normalize('NFKC')).match(/[\p{L}\p{N}]+/gu) ?? [];
}

/**
 * The content terms of a text, first occurrence first, without repeats; numbers are left to {@link numbersIn}. A word
 * is one term as written: `ignoreTrailingSlash` and `SQLite` are one term each, so "SQLite" and "sqlite" meet. Where
 * the other side writes the identifier's words apart, {@link termLookup} bridges the two. A message shows an
 * identifier as written, any other word in lower case.
 */
export function termsOf(text: string): Term[] {
  const terms: Term[] = [];
  const seen = new Set<string>();
  for (const token of tokens(text)) {
    const [folded] = contentTerms(token);
    if (folded === undefined || /^\p{N}+$/u.test(folded) || Object.hasOwn(NUMBER_WORDS, folded)) continue;
    const term = canonicalStem(folded);
    if (seen.has(term)) continue;
    seen.add(term);
    terms.push({ term, word: /\p{Lu}/u.test(token.slice(1)) ? token : folded });
  }
  return terms;
}

/** Adjacent words run together, up to this many: "ignore trailing slash" offers `ignoretrailingslash`. */
const MAX_JOINED_WORDS = 4;

/**
 * Every term a text offers to be matched against: its content terms; the words inside each identifier
 * (`ignoreTrailingSlash` offers "ignore", "trailing", "slash"; `10MB` offers "mb"); and runs of two to four adjacent
 * words written as one (`ignoretrailingslash`, `keepalive` from "keep-alive"). So a claim's term is found however the
 * quote writes the same identifier.
 */
export function termLookup(text: string): Set<string> {
  const lookup = new Set(termsOf(text).map((entry) => entry.term));
  const words = tokens(text);
  for (const word of words) {
    for (const part of contentTerms(splitIdentifierCase(word))) lookup.add(canonicalStem(part));
  }
  const lower = words.map((word) => word.toLowerCase());
  for (let start = 0; start < lower.length; start += 1) {
    for (let end = start + 2; end <= Math.min(lower.length, start + MAX_JOINED_WORDS); end += 1) lookup.add(stem(lower.slice(start, end).join('')));
  }
  return lookup;
}

/** Every word of a text in order, stop words included, lower case and stemmed: what names are looked for in. */
export function wordSequence(text: string): string[] {
  return (splitIdentifierCase(text).toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).map(stem);
}

/**
 * Integers, decimals, thousands (`1,000`), exponents (`1e6`), versions (`v1.2.3`), with a unit attached or not (`10MB`,
 * `15ms`), and the number words two to twelve. A number inside an identifier (`sha256`, `s1`, `ES2022`) is not a number:
 * the name check covers it. Values compare numerically where that is unambiguous, so `1e6`, `1,000,000` and `1000000`
 * are one number and `1.50` is `1.5`; a version (two dots, or a leading `v`) compares as written.
 */
export function numbersIn(text: string): NumberMention[] {
  const found: NumberMention[] = [];
  // The unit after a number is shown in messages (`10MB`) but not compared: "10 MB" and "10MB" are one number, and
  // the unit's word is a content term of its own.
  const pattern = /(?<![\p{L}\p{N}_.,])v?(\d{1,3}(?:,\d{3})+|\d+)((?:\.\d+)*)(e[+-]?\d+)?(?![\p{N}])(?:\p{L}+(?![\p{N}_])|%)?/giu;
  for (const match of text.normalize('NFKC').matchAll(pattern)) {
    const [whole, integer = '', fraction = '', exponent = ''] = match;
    const dots = fraction.split('.').length - 1;
    const plain = `${integer.replace(/,/g, '')}${fraction}${exponent}`;
    // A version compares as written: v1.10 is not v1.1.
    const value = dots > 1 || /^v/i.test(whole) ? plain.toLowerCase() : String(Number(plain));
    found.push({ text: whole, value });
  }
  for (const word of text.toLowerCase().match(/\p{L}+/gu) ?? []) {
    // Own keys only: "constructor" is no number word.
    const value = Object.hasOwn(NUMBER_WORDS, word) ? NUMBER_WORDS[word] : undefined;
    if (value !== undefined) found.push({ text: word, value });
  }
  return found;
}
