/**
 * The terms the offline planner and researcher match on. Words are the knowledge base's content terms (stop words
 * out, plurals folded) stemmed a little further, so "redacted", "redaction" and "redact" meet. Identifiers
 * (`ignoreTrailingSlash`, `snake_case`, `dotted.name`, `--flag`, anything in backticks) are names: a question that
 * names one is about that thing, so names weigh more, and a compound name also matches as a whole.
 */
import { canonicalStemmer, rewritePhrases } from '../../text/lexicon.js';
import { askedPart, withoutHowAdjective } from '../../text/question.js';
import { contentTerms } from '../../knowledge/text.js';

/** Words of how a question is asked rather than what it asks about. */
const PHRASING = new Set(['way', 'possible', 'want', 'need', 'able', 'please', 'something', 'anything', 'everything', 'thing', 'mean', 'happen', 'know', 'come', 'came', 'actually', 'really', 'currently', 'basically', 'someone', 'anyone']);

/** Words that say the question asks for code, so code blocks and code lines may answer it. */
const ASKS_FOR_CODE =
  /\b(?:examples?|snippets?|syntax|samples?)\b|(?<!\b(?:status|error|exit|response|http|return|reason|source|country|postal|zip)[ -])\bcode\b|\bhow (?:do|can|should|would) (?:i|you|we|one) (?:write|declare|call|import)\b|\bhow to (?:write|declare|call|import)\b/i;

/** An inline code span. */
const CODE_SPAN = /`+([^`\n]+?)`+/g;

/**
 * Bare identifiers: `--flag`, dotted or `::` paths (`redact.keys`), camelCase and PascalCase with an inner capital
 * (`ignoreTrailingSlash`, `OpenAI`), snake_case and SCREAMING_CASE.
 */
const BARE_NAME =
  /(?<![\p{L}\p{N}_$.-])(?:--[A-Za-z][\w-]*|[A-Za-z_$][\w$]*(?:(?:\.|::)[A-Za-z_$][\w$]*)+|[a-z][a-z0-9]*[A-Z][\w$]*|[A-Z][a-z0-9]+[A-Z][\w$]*|[A-Za-z][A-Za-z0-9]*_[\w$]+)/gu;

/**
 * A light stemmer on top of the content-term fold: `-ation`, `-ion` after s/t, `-ing`, `-ed`, `-ly` and a final `e`
 * come off, and a doubled final consonant is undoubled ("dropped" → "drop", "logging" → "log"). Only consistency
 * matters: both sides of every comparison go through it.
 */
export function stem(term: string): string {
  if (term.length <= 4 || !/^\p{L}+$/u.test(term)) return term;
  if (term.endsWith('ied')) return `${term.slice(0, -3)}y`;
  let root = term;
  if (root.endsWith('ation') && root.length >= 8) root = root.slice(0, -5);
  else if (/[st]ion$/.test(root) && root.length >= 7) root = root.slice(0, -3);
  else if (root.endsWith('ing') && root.length >= 6) root = root.slice(0, -3);
  else if (root.endsWith('ed') && root.length >= 5) root = root.slice(0, -2);
  else if (root.endsWith('ly') && root.length >= 6) root = root.slice(0, -2);
  else if (root.endsWith('e') && root.length >= 5) root = root.slice(0, -1);
  if (/([b-df-hj-np-tv-z])\1$/.test(root) && !/(?:ll|ss|zz|ff)$/.test(root)) root = root.slice(0, -1);
  return root;
}

/** The stemmer, reading the words of one lexicon group as one. */
const canonicalStem = canonicalStemmer(stem);

/** The stemmed content words of a text, in order, with the surface word each came from. */
export function stemmedWords(text: string, identifierWords = false): Array<{ key: string; surface: string }> {
  const words: Array<{ key: string; surface: string }> = [];
  for (const surface of rewritePhrases(text.normalize('NFKC')).match(/[\p{L}\p{N}]+/gu) ?? []) {
    // In a passage, a camelCase identifier is also its words: `messageKey` answers a question about "the message key".
    // (A question that names the identifier asks about it whole: its words would only dilute what it asks.)
    const parts = identifierWords && /^[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)+$/.test(surface) ? [surface, ...surface.split(/(?<=[a-z0-9])(?=[A-Z])/)] : [surface];
    for (const part of parts) {
      const [term] = contentTerms(part);
      if (term === undefined || PHRASING.has(term)) continue;
      words.push({ key: canonicalStem(term), surface: part });
    }
  }
  return words;
}

/** The identifiers a text names, lower-cased, without a leading `--` or trailing `()`. */
export function namesIn(text: string): string[] {
  const names: string[] = [];
  const add = (raw: string): void => {
    const name = raw.toLowerCase().replace(/^-+/, '').replace(/\(\)$/, '').replace(/[.:,;]+$/, '');
    // "e.g" and "i.e" are abbreviations, not names: a name has a part of two letters or more.
    if (/[\p{L}]/u.test(name) && /[\p{L}\p{N}]{2}/u.test(name)) names.push(name);
  };
  for (const match of text.matchAll(CODE_SPAN)) {
    const code = match[1]!.trim();
    if (/^[^\s]{2,60}$/.test(code)) add(code);
    else for (const inner of code.matchAll(BARE_NAME)) add(inner[0]);
  }
  for (const match of text.replace(CODE_SPAN, ' ').matchAll(BARE_NAME)) add(match[0]);
  return names;
}

/** Whether a name is compound (`redact.keys`, `snake_case`): such a name is also matched as a whole. */
function isCompound(name: string): boolean {
  return /[^\p{L}\p{N}]/u.test(name);
}

/** The key under which a compound name is matched, apart from word stems. */
function nameKey(name: string): string {
  return `name:${name}`;
}

/**
 * Every term of a text: its word stems and its compound names. `markup` is the same text with its Markdown, when the
 * text is a display form: backticks there mark names the display no longer shows as code. Linear in the text.
 */
export function termsOf(text: string, markup = text): Set<string> {
  const terms = new Set<string>();
  for (const word of stemmedWords(text, true)) terms.add(word.key);
  // A link's target is not part of what the text says.
  const marked = markup === text ? [] : namesIn(markup.replace(/\]\([^)]*\)/g, ']'));
  for (const name of [...namesIn(text), ...marked]) if (isCompound(name)) terms.add(nameKey(name));
  return terms;
}

/** A key term of a question. */
export interface QuestionTerm {
  /** What it is matched as in {@link termsOf}. */
  key: string;
  /** How the question wrote it, for messages. */
  label: string;
  /** Whether the question names it as an identifier. */
  name: boolean;
}

/** The key terms of a question, each once, in the order the question uses them. */
export function questionTerms(whole: string): QuestionTerm[] {
  // The scene a reader sets before asking is for the search; the answer must address what is asked.
  // "How long", "how big": the adjective asks for a number (the answer-type check), it is not what the question is about.
  const question = withoutHowAdjective(askedPart(whole));
  const terms = new Map<string, QuestionTerm>();
  for (const word of stemmedWords(question)) {
    if (!terms.has(word.key)) terms.set(word.key, { key: word.key, label: word.surface, name: false });
  }
  for (const name of namesIn(question)) {
    // A method named with its object (`fastify.close()`, `reply.send()`): the docs name it on its own under the
    // object's heading, so the method is what a sentence must mention.
    const member = /^[\p{L}_$][\w$]*\.([\p{L}_$][\w$]{2,})(?:\(\))?$/u.exec(name)?.[1];
    if (member) {
      const word = stemmedWords(member)[0];
      if (word) terms.set(word.key, { key: word.key, label: name, name: true });
      continue;
    }
    if (isCompound(name)) {
      const key = nameKey(name);
      if (!terms.has(key)) terms.set(key, { key, label: name, name: true });
      continue;
    }
    // A one-word name ("`timeout`", "ignoreTrailingSlash") is the word itself, weighed as a name.
    const word = stemmedWords(name)[0];
    const existing = word ? terms.get(word.key) : undefined;
    if (existing) existing.name = true;
  }
  return [...terms.values()];
}

/** Whether the question asks for code (an example, a snippet, the syntax), so code may answer it. */
export function asksForCode(question: string): boolean {
  return ASKS_FOR_CODE.test(question);
}

/** Terms listed for a message: `"a", "b" or "c"`. */
export function listTerms(labels: readonly string[], conjunction: 'or' | 'and'): string {
  const quoted = labels.map((label) => `"${label}"`);
  if (quoted.length <= 1) return quoted.join('');
  return `${quoted.slice(0, -1).join(', ')} ${conjunction} ${quoted[quoted.length - 1]!}`;
}
