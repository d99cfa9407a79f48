/**
 * Polarity: "X is not enabled by default" and "X is enabled by default" share every content term, so term coverage
 * alone approves the one as support for the other. This module finds, for each clause of the claim, the quote clauses
 * that share most of its terms, and compares what each side negates: the word a negation governs (the first content
 * word after "not", "no", "never", "without", "n't" ...) is denied, every other word affirmed. A word the claim denies
 * and the quote only affirms, or the reverse, is a contradiction; so is a word the claim uses where the quote has its
 * opposite instead ("enabled" where the quote says "disabled").
 *
 * Word by word rather than "is there a negation anywhere", because a quote often holds more than the claim: "X is
 * enabled by default, but Y is not" supports "X is enabled by default", and a table row that says "... is not reached
 * ..." supports a claim that names its code. When several quote clauses share as many terms, one that agrees is enough,
 * and a side that words the negation as an opposite ("disabled", "off") is given the benefit of the doubt: the checks
 * would rather miss a contradiction than invent one.
 */
import { stem } from './stem.js';
import { canonicalStem, termsOf } from './terms.js';

/** Grammatical negation, and the `n't` forms. Hyphenated words stay whole, so "no-op" and "non-blocking" are not cues. */
const NEGATION_CUES = new Set(['not', 'no', 'never', 'cannot', 'none', 'neither', 'nor', 'nothing', 'nobody', 'nowhere', 'without']);

/** Words between a negation and the word it governs that are not that word ("no longer supported", "not yet"). */
const SKIPPED_AFTER_CUE = new Set(['longer', 'yet', 'ever', 'always', 'even', 'just', 'really', 'necessarily', 'fully', 'entirely', 'only', 'currently', 'actually']);

/** Words that say "not" without a negation: a clause holding one may state as an opposite what the other side negates. */
const NEGATIVE_WORDS = new Set(
  ['disable', 'disabled', 'off', 'false', 'lack', 'absent', 'missing', 'prevent', 'avoid', 'refuse', 'reject', 'forbid', 'deny', 'disallow', 'unsupported', 'unavailable', 'unable', 'fail', 'ignore', 'omit', 'skip'].map(stem),
);

/**
 * Opposites a claim can swap without touching any other word. Kept to pairs that do not also describe the same fact
 * from the other side: "before/after" and "first/last" are left out, since "A runs before B" and "B runs after A" agree.
 */
const OPPOSITES: ReadonlyArray<readonly [string, string]> = [
  ['enable', 'disable'],
  ['allow', 'deny'],
  ['allow', 'disallow'],
  ['allow', 'forbid'],
  ['include', 'exclude'],
  ['true', 'false'],
  ['required', 'optional'],
  ['supported', 'unsupported'],
  ['valid', 'invalid'],
  ['accept', 'reject'],
  ['synchronous', 'asynchronous'],
  ['sync', 'async'],
  ['public', 'private'],
  ['minimum', 'maximum'],
  ['min', 'max'],
  ['encrypt', 'decrypt'],
  ['lowercase', 'uppercase'],
  ['success', 'failure'],
  ['fast', 'slow'],
  ['faster', 'slower'],
  ['increase', 'decrease'],
  ['larger', 'smaller'],
  ['higher', 'lower'],
  ['first', 'last'],
  ['before', 'after'],
  ['start', 'stop'],
  ['open', 'close'],
  // Read through the same stemmer and lexicon as the terms they are compared with ("off" is read as "disable").
].map(([left, right]) => [canonicalStem(left!), canonicalStem(right!)] as const);

/** The first negation cue of a text (`n't` forms included), or undefined. */
export function negationCue(text: string): string | undefined {
  return words(text).find(isCue);
}

function words(text: string): string[] {
  return text.toLowerCase().replace(/[\u2018\u2019]/g, "'").match(/[\p{L}\p{N}'-]+/gu) ?? [];
}

function isCue(word: string): boolean {
  return NEGATION_CUES.has(word) || /\p{L}n't$/u.test(word);
}

/** Clauses: split at sentence punctuation, commas, table cells and contrast words, where a negation stops applying. */
export function clausesOf(text: string): string[] {
  return text
    .split(/[.!?;:]+(?:\s+|$)|,(?!\d)\s*|\||\s+(?=(?:but|however|although|though|whereas|while|unless|except)\b)|\s+[-–—]+\s+/iu)
    .map((clause) => clause.trim())
    .filter((clause) => clause.length > 0);
}

interface Clause {
  text: string;
  terms: Set<string>;
  /** Terms a negation governs, with the words that say so ("not enabled"). */
  denied: Map<string, string>;
  /** Terms stated without a negation, with the word as written. */
  affirmed: Map<string, string>;
  negativeWord: boolean;
}

function readClause(text: string): Clause {
  const denied = new Map<string, string>();
  const affirmed = new Map<string, string>();
  let cue: string | undefined;
  let negativeWord = false;
  for (const word of words(text)) {
    if (isCue(word)) {
      cue = word;
      continue;
    }
    const terms = termsOf(word).map((entry) => entry.term);
    if (terms.length === 0 || (cue !== undefined && SKIPPED_AFTER_CUE.has(word))) continue;
    for (const term of terms) {
      if (NEGATIVE_WORDS.has(term)) negativeWord = true;
      if (cue !== undefined) denied.set(term, `${cue} ${word}`);
      else if (!affirmed.has(term)) affirmed.set(term, word);
    }
    // "neither A nor B": the next cue governs B.
    cue = undefined;
  }
  return { text, terms: new Set([...denied.keys(), ...affirmed.keys()]), denied, affirmed, negativeWord };
}

/** Why a claim clause contradicts a quote clause, or undefined when it does not. */
function contradiction(claim: Clause, quote: Clause): string | undefined {
  for (const [term, phrase] of claim.denied) {
    const stated = quote.affirmed.get(term);
    if (stated !== undefined && !quote.denied.has(term) && !claim.affirmed.has(term) && !quote.negativeWord) {
      return `it says "${phrase}" where its quote says "${stated}" ("${quote.text}")`;
    }
  }
  for (const [term, phrase] of quote.denied) {
    const stated = claim.affirmed.get(term);
    if (stated !== undefined && !claim.denied.has(term) && !quote.affirmed.has(term) && !claim.negativeWord) {
      return `it says "${stated}" where its quote says "${phrase}" ("${quote.text}")`;
    }
  }
  for (const [left, right] of OPPOSITES) {
    for (const [said, opposite] of [[left, right], [right, left]] as const) {
      // "not enabled" against "disabled" agrees: only a word both sides state without negation is compared.
      if (claim.affirmed.has(said) && !claim.denied.has(said) && !quote.terms.has(said) && quote.affirmed.has(opposite)) {
        return `it says "${wordOf(claim, said)}" where its quote says "${wordOf(quote, opposite)}" ("${quote.text}")`;
      }
    }
  }
  return undefined;
}

function wordOf(clause: Clause, term: string): string {
  return clause.affirmed.get(term) ?? clause.denied.get(term) ?? term;
}

/**
 * Whether the claim's polarity matches its quotes': undefined when it does, else what contradicts, for the message.
 * A claim clause that shares no term with any quote clause is skipped; term coverage speaks for it.
 */
export function polarityProblem(claimText: string, quotes: readonly string[]): string | undefined {
  const quoteClauses = quotes.flatMap(clausesOf).map(readClause);
  for (const claimClause of clausesOf(claimText).map(readClause)) {
    let best = 0;
    let candidates: Clause[] = [];
    for (const quoteClause of quoteClauses) {
      let shared = 0;
      for (const term of claimClause.terms) if (quoteClause.terms.has(term)) shared += 1;
      if (shared > best) [best, candidates] = [shared, [quoteClause]];
      else if (shared === best && shared > 0) candidates.push(quoteClause);
    }
    if (best === 0) continue;
    const problems = candidates.map((candidate) => contradiction(claimClause, candidate));
    if (problems.every((problem) => problem !== undefined)) return problems[0];
  }
  return undefined;
}
