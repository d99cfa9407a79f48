/**
 * Small text utilities shared by the keyword search and the offline engine: tokenising, stop words, sentence
 * splitting. Deterministic and dependency-free.
 */

import { canonicalStemmer, rewritePhrases } from '../text/lexicon.js';

const STOP_WORDS = new Set(
  ('a an and are as at be by can do does for from has have how i in is it its of on or that the their this to was what ' +
    'when where which who why will with you your about into than then there these those they we our us also not no yes ' +
    'should would could may might must if else so such via per each any all more most other some them it’s does did done ' +
    'explain describe tell give list show find ' +
    // Pronouns, auxiliaries and the pieces contractions split into ("I've" → "ve", "doesn't" → "doesn"): they say
    // nothing about what a text is about. Prepositions of time and place (before, after, during, over) stay: in
    // technical prose they often are the point ("the hook runs before validation").
    'am been being had having were he him his she her hers herself himself itself themselves ourselves yourself ' +
    'yourselves myself me my mine ours yours theirs because since while once here only own same too very just now again ' +
    'further up down out ve ll re don doesn didn isn aren wasn weren won wouldn shouldn couldn hasn haven hadn')
    .split(/\s+/),
);

/** Lower-case word tokens with stop words removed and a light plural/suffix fold, for matching. */
export function contentTerms(text: string): string[] {
  return (text.toLowerCase().normalize('NFKC').match(/[\p{L}\p{N}]+/gu) ?? [])
    .filter((word) => word.length > 1 && !STOP_WORDS.has(word))
    .map(foldSuffix);
}

/**
 * The terms a keyword search matches on: content terms with the phrases and synonyms of the shared lexicon folded
 * together ("out of the box" → default, "biggest" → maximum, "body" → payload), so a reader's words find the page's.
 */
export function searchTerms(text: string): string[] {
  return contentTerms(rewritePhrases(withIdentifierWords(text))).map(canonicalFold);
}

/**
 * The text with each camelCase identifier followed by its words (`messageKey` → `messageKey message Key`), so a reader
 * who asks about "the message key" finds the option, and one who names the option still finds it whole.
 */
function withIdentifierWords(text: string): string {
  return text.replace(/\b[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)+\b/g, (identifier) => `${identifier} ${identifier.replace(/([a-z0-9])([A-Z])/g, '$1 $2')}`);
}

/** {@link foldSuffix}, reading the words of one lexicon group as one. */
const canonicalFold = canonicalStemmer((word) => foldSuffix(word));

/** A crude stemmer: enough to match "checkers" with "checker" and "verifies" with "verify". */
export function foldSuffix(word: string): string {
  if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 4 && word.endsWith('es') && /(ss|sh|ch|x|z)es$/.test(word)) return word.slice(0, -2);
  // "status", "analysis", "always" are not plurals.
  if (word.length > 3 && word.endsWith('s') && !/(?:ss|us|is)$/.test(word) && word !== 'always') return word.slice(0, -1);
  return word;
}

/** Splits prose into sentences, keeping each sentence's exact text. */
export function splitSentences(text: string): string[] {
  const sentences: string[] = [];
  for (const block of text.split(/\n\s*\n|\n(?=\s*(?:[-*+]|\d+\.|#)\s)/)) {
    const flat = block.replace(/\s*\n\s*/g, ' ').trim();
    if (!flat) continue;
    for (const sentence of flat.split(/(?<=[.!?])\s+(?=[A-Z0-9"'`([*_])/)) {
      const trimmed = sentence.trim();
      if (trimmed) sentences.push(trimmed);
    }
  }
  return sentences;
}

/** Markdown markup removed from a sentence, for display. */
export function stripMarkdown(text: string): string {
  return text
    .replace(/^\s*(?:#{1,6}|[-*+]|\d+\.)\s+/, '')
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .replace(/[*_`]{1,3}([^*_`]+)[*_`]{1,3}/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}
