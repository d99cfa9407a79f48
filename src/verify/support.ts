/**
 * Support: what a claim asserts is found in its own quotes. An honest lexical entailment, not a model: the share of the
 * claim's content terms that occur in the union of its quotes (stemmed; `ignoreTrailingSlash` meets "ignore trailing
 * slash"), every number and every name of the claim in some quote, and the claim's clauses agreeing with the quote
 * clauses that carry their terms on negation and opposites. A claim that copies its quote passes with score 1; a true quote of a sentence that says
 * something else does not, which the quote-in-source check alone cannot tell.
 *
 * What it cannot see: a paraphrase with synonyms for most of its words (it fails, safely), and a reordering that changes
 * who does what to whom with the same words ("A calls B" from "B calls A"), which passes.
 */
import type { Objection } from '../roles/schemas.js';
import type { SupportConfig } from './config.js';
import { percent, quotedList, shorten } from './format.js';
import { containsName, nameHaystack, namesIn } from './names.js';
import { polarityProblem } from './negation.js';
import { numbersIn, termLookup, termsOf } from './terms.js';

export interface SupportJudgement {
  ok: boolean;
  /** Share of the claim's content terms found in its quotes; 1 for a claim with none. */
  score: number;
  missingTerms: string[];
  missingNumbers: string[];
  missingNames: string[];
  /** What disagrees in polarity, when something does. */
  negation?: string;
}

/** Judges whether `quotes` back `claimText`. */
export function judgeSupport(claimText: string, quotes: readonly string[], config: SupportConfig): SupportJudgement {
  const lookup = new Set(quotes.flatMap((quote) => [...termLookup(quote)]));
  const terms = termsOf(claimText);
  const missingTerms = terms.filter((entry) => !lookup.has(entry.term)).map((entry) => entry.word);
  const score = terms.length === 0 ? 1 : (terms.length - missingTerms.length) / terms.length;

  const quoteNumbers = new Set(quotes.flatMap((quote) => numbersIn(quote).map((number) => number.value)));
  const missingNumbers = config.numbers ? unique([...numbersIn(claimText).filter((number) => !quoteNumbers.has(number.value)).map((number) => number.text), ...changedUnits(claimText, quotes, lookup)]) : [];

  const haystack = nameHaystack(quotes);
  const missingNames = config.names ? namesIn(claimText).filter((name) => !containsName(haystack, name)).map((name) => name.text) : [];

  const negation = config.negation ? polarityProblem(claimText, quotes) : undefined;
  const ok = score >= config.minTermCoverage && missingNumbers.length === 0 && missingNames.length === 0 && negation === undefined;
  return { ok, score, missingTerms, missingNumbers, missingNames, ...(negation !== undefined ? { negation } : {}) };
}

/** The objection for a claim its quotes do not back: each failed part, and what was expected. */
export function supportObjection(claimId: string, claimText: string, judgement: SupportJudgement, config: SupportConfig): Objection {
  const problems: string[] = [];
  if (judgement.score < config.minTermCoverage) {
    problems.push(
      `only ${percent(judgement.score)} of its terms occur in its quotes (expected at least ${percent(config.minTermCoverage)}); ` +
        `missing ${quotedList(judgement.missingTerms)}`,
    );
  }
  if (judgement.missingNumbers.length > 0) problems.push(`${plural(judgement.missingNumbers, 'the number', 'the numbers')} ${quotedList(judgement.missingNumbers)} ${verb(judgement.missingNumbers)} in no quote`);
  if (judgement.missingNames.length > 0) problems.push(`${plural(judgement.missingNames, 'the name', 'the names')} ${quotedList(judgement.missingNames)} ${verb(judgement.missingNames)} in no quote`);
  if (judgement.negation !== undefined) problems.push(judgement.negation);
  return {
    kind: 'support',
    target: claimId,
    message: `claim ${claimId} ("${shorten(claimText)}") is not backed by its quotes: ${problems.join('; ')}. Expected: state only what the quoted words say, or quote the words that say it.`,
  };
}

/**
 * Quantities whose unit the quotes never name: "10 minutes" where the quote says "10 seconds", "10ms" for "10s". The
 * number matches and only one word differs, which the term share would forgive; a quantity is its number and unit.
 */
function changedUnits(claimText: string, quotes: readonly string[], lookup: ReadonlySet<string>): string[] {
  const changed: string[] = [];
  for (const match of claimText.matchAll(/(?<![\p{L}\p{N}.])(\d+(?:[.,]\d+)*)\s?([A-Za-z]{1,12})\b/gu)) {
    const word = match[2]!;
    const [unit] = termsOf(word);
    if (!unit || lookup.has(unit.term)) continue;
    // Written glued to a number in the quote ("1MiB"), the unit is no separate term there.
    const glued = new RegExp(`\\d\\s?${word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'i');
    if (!quotes.some((quote) => glued.test(quote))) changed.push(match[0]);
  }
  return changed;
}

function plural(items: readonly string[], one: string, many: string): string {
  return items.length === 1 ? one : many;
}

function verb(items: readonly string[]): string {
  return items.length === 1 ? 'is' : 'are';
}

function unique(items: readonly string[]): string[] {
  return [...new Set(items)];
}
