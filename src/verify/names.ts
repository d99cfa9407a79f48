/**
 * Names in a text: the identifiers and proper nouns a claim can get wrong while its ordinary words still match. A claim
 * that swaps `bodyLimit` for `maxBodySize`, or says "LangGraph" where its quote says "Mastra", keeps most of its content
 * terms; the name check catches it.
 *
 * A name is found in another text when its words occur there in order, however the identifier is written
 * (`ignoreTrailingSlash`, `ignore_trailing_slash` and "ignore trailing slash" are one name), or written as one word.
 */
import { contentTerms } from '../knowledge/text.js';
import { wordSequence } from './terms.js';

/**
 * What kind of name: `code` (backticked, camelCase, snake_case, dotted.names, `--flags`, letters with digits),
 * `acronym` (ALLCAPS) or `proper` (a capitalised word that does not start a sentence).
 */
export type NameKind = 'code' | 'acronym' | 'proper';

export interface NameMention {
  text: string;
  kind: NameKind;
  /** The name's words, lower case and stemmed, in order. */
  words: string[];
}

/** Identifier shapes found before single words, in this order; each match is blanked so it is not found twice. */
const CODE_PATTERNS: readonly RegExp[] = [
  /`([^`\n]+)`/gu,
  /(?<![\p{L}\p{N}_-])--[a-z][a-z0-9-]*/gu,
  /(?<![\p{L}\p{N}_$])[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+(?:\(\))?/gu,
  /(?<![\p{L}\p{N}_])[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+/gu,
];

/** Text before a word that marks it as the start of a sentence, a line or a list item, where capitals say nothing. */
const SENTENCE_START = /(?:^|[.!?:;]\s+|\n\s*(?:[-*+>#]+\s+|\d+[.)]\s+)?)["'“‘([*_]*$/u;

/** The names in a text, each once. */
export function namesIn(text: string): NameMention[] {
  const names: NameMention[] = [];
  const seen = new Set<string>();
  const add = (raw: string, kind: NameKind): void => {
    const words = wordSequence(raw);
    const key = words.join(' ');
    // "e.g." and "i.e." are dotted but name nothing.
    if (words.length === 0 || words.every((word) => word.length < 2) || seen.has(key)) return;
    seen.add(key);
    names.push({ text: raw, kind, words });
  };

  let rest = text.normalize('NFKC');
  for (const pattern of CODE_PATTERNS) {
    rest = rest.replace(pattern, (match: string, inner?: string) => {
      add(typeof inner === 'string' ? inner : match, 'code');
      return ' '.repeat(match.length);
    });
  }
  for (const match of rest.matchAll(/(?<![\p{L}\p{N}_])[A-Za-z][A-Za-z0-9]*(?![\p{L}\p{N}_])/gu)) {
    const word = match[0];
    const kind = wordKind(word, SENTENCE_START.test(rest.slice(Math.max(0, match.index - 12), match.index)));
    if (kind) add(word, kind);
  }
  return names;
}

function wordKind(word: string, startsSentence: boolean): NameKind | undefined {
  if (/\d/.test(word) && /[A-Za-z]/.test(word)) return 'code';
  if (word.length >= 2 && /^[A-Z][A-Z0-9]+$/.test(word)) return 'acronym';
  if (/^[A-Za-z][a-z0-9]*[A-Z]/.test(word) && /[a-z]/.test(word)) return 'code';
  // A capitalised stop word ("The", "It") after a colon or a quote mark names nothing.
  if (!startsSentence && /^[A-Z][a-z]+$/.test(word) && contentTerms(word).length > 0) return 'proper';
  return undefined;
}

/** The texts a name may be found in, prepared once: each text's word sequence, and its identifiers run together. */
export interface NameHaystack {
  sequences: string[][];
  compacts: Set<string>;
}

export function nameHaystack(texts: readonly string[]): NameHaystack {
  const compacts = new Set<string>();
  for (const text of texts) for (const identifier of text.normalize('NFKC').match(/[\p{L}\p{N}_.$-]+/gu) ?? []) compacts.add(compact(identifier));
  return { sequences: texts.map(wordSequence), compacts };
}

/** Lower case, letters and digits only: `ignore_trailing_slash` and `ignoreTrailingSlash` both give one word. */
function compact(text: string): string {
  return text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
}

/** Whether a name occurs in the haystack: its words in order in one text, or written as one word. */
export function containsName(haystack: NameHaystack, name: NameMention): boolean {
  if (haystack.compacts.has(compact(name.text))) return true;
  return haystack.sequences.some((sequence) => containsRun(sequence, name.words));
}

function containsRun(sequence: readonly string[], run: readonly string[]): boolean {
  for (let start = 0; start + run.length <= sequence.length; start += 1) {
    if (run.every((word, offset) => sequence[start + offset] === word)) return true;
  }
  return false;
}
