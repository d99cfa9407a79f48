/**
 * Offline researcher strategy: answers the step's question with the sentences of the returned passages that address
 * it, or says honestly that none does.
 *
 * Every sentence (table row, and code when the question asks for code) is scored by how much of the question's key
 * terms it covers: rare terms among the returned passages weigh more than terms every passage shares, names
 * (`ignoreTrailingSlash`, `redact.keys`) weigh double, and terms of the sentence's heading and neighbouring sentences
 * count half. The best sentence is kept if it clears an absolute bar; the next ones only while they stay close to the
 * best, at most three. No claim says more than its quotes: the claim text is the quoted sentence without its Markdown,
 * prefixed by its heading (also quoted) when the heading names what the sentence leaves out, and preceded by the
 * sentence before it (quoted too) when it opens with "It", "This" and the like.
 */
import { normaliseForQuote } from '../../roles/evidence.js';
import type { Passage } from '../../knowledge/types.js';
import type { ResearchOutput } from '../../roles/schemas.js';
import type { ResearchTask } from '../../roles/tasks.js';
import { demandsOf, gives, type AnswerDemand } from '../../verify/answer-type.js';
import { POINTER } from '../../verify/relevance.js';
import { readPassage, wordCount, type Context, type Unit } from './passage-units.js';
import { asksForCode, listTerms, questionTerms, stemmedWords, termsOf, type QuestionTerm } from './terms.js';

const MAX_CLAIMS = 3;
/** A claim after the first must score at least this share of the best one. */
const KEEP_RATIO = 0.8;
/** The weighted score a claim needs at all. */
const MIN_SCORE = 0.4;
/** The share of the question's key terms a claim's quotes must hold (the relevance check asks about as much). */
const MIN_QUOTED_COVERAGE = 0.5;
/** How much a term found only in the heading or a neighbouring sentence counts, against 1 in the sentence itself. */
const CONTEXT_CREDIT = 0.5;
/** Fewer words than this is a fragment, unless a quoted heading or sentence completes it. */
const MIN_WORDS = 5;
/** What a sentence that gives the kind of answer the question asks for (a number, a name) adds to its score. */
const DEMAND_BONUS = 0.15;
/** A sentence that opens with one of these leans on the sentence before it for its subject. */
const ANAPHOR = /^(?:it|its|it's|this|that|these|those|they|their|them|such|here|both|either|neither|he|she|his|her|the latter|the former|the same)\b/i;

/** A claim as the researcher returns it. */
type ClaimDraft = ResearchOutput['claims'][number];

interface Candidate {
  claim: ClaimDraft;
  /** The passage each citation quotes, in order. */
  cited: ReadPassageEntry[];
  /** The claim's quotes as the evidence check compares them. */
  quotes: string[];
  /** The normalised quote of the sentence itself (with the one before it when joined), to drop a repeat. */
  key: string;
  score: number;
  rank: number;
}

interface Weighted {
  term: QuestionTerm;
  weight: number;
  /** How many of the returned passages hold the term. */
  documents: number;
}

/**
 * The findings for one plan step: at most three claims, each quoting the passages verbatim, or none and a gap that
 * says which key terms no passage mentions. Deterministic, and linear in the size of the passages.
 */
export function offlineResearch(task: ResearchTask): ResearchOutput {
  const question = task.step.question;
  const terms = questionTerms(question);
  if (terms.length === 0) return noAnswer(question, 'the question has no key terms to look for');
  if (task.passages.length === 0) return noAnswer(question, 'the search returned no passage');

  const { read, origin } = readPassages(task.passages);
  const weighted = weigh(terms, read.map((passage) => passage.terms));
  const totalWeight = weighted.reduce((sum, entry) => sum + entry.weight, 0);
  const code = asksForCode(question);

  // A sentence the checker rejected last round for this step is not offered again: it would be rejected again.
  const rejected = new Set((task.rejected ?? []).map((entry) => normaliseForQuote(entry.quote)));
  const candidates: Candidate[] = [];
  let rank = 0;
  for (const entry of read) {
    for (const unit of entry.units) {
      rank += 1;
      if (unit.kind === 'code' && !code) continue;
      const candidate = score(unit, entry, origin, weighted, totalWeight, code, rank);
      if (candidate && !rejected.has(normaliseForQuote(candidate.claim.citations.at(-1)!.quote))) candidates.push(candidate);
    }
  }
  // A question that asks for a number or a name is answered by a sentence that gives one: such sentences rank higher.
  const demands = demandsOf(question);
  const givesAll = (candidate: Candidate, kinds: readonly AnswerDemand[]): boolean => kinds.every((demand) => gives(demand.kind, textsOf(candidate)));
  for (const candidate of candidates) candidate.score += demands.filter((demand) => gives(demand.kind, textsOf(candidate))).length * DEMAND_BONUS;
  // A sentence that gives none of what is asked ("how long": no number) is on the topic, not an answer.
  if (demands.length > 0) candidates.splice(0, candidates.length, ...candidates.filter((candidate) => demands.some((demand) => gives(demand.kind, textsOf(candidate)))));
  candidates.sort((left, right) => right.score - left.score || left.rank - right.rank);

  const selected: Candidate[] = [];
  for (const candidate of candidates) {
    if (selected.length >= MAX_CLAIMS) break;
    // Relevance drops from here on: the rest answer the question less than the best does.
    if (selected.length > 0 && candidate.score < selected[0]!.score * KEEP_RATIO) break;
    if (!selected.some((kept) => repeats(kept.key, candidate.key)) && quotesStand(candidate)) selected.push(candidate);
  }
  // What the kept sentences leave unanswered (the name of the option, when they give only the number) is taken from
  // the best sentence that gives it, if any clears the bar.
  for (const demand of demands) {
    if (selected.some((kept) => givesAll(kept, [demand]))) continue;
    const giving = candidates.find((candidate) => givesAll(candidate, [demand]) && !selected.some((kept) => repeats(kept.key, candidate.key)) && quotesStand(candidate));
    if (giving) selected.splice(Math.min(selected.length, MAX_CLAIMS - 1), 1, giving);
  }
  if (selected.length === 0) return noAnswer(question, missingReason(weighted));
  return { claims: selected.map((candidate) => candidate.claim), gaps: [] };
}

/** A candidate's claim and quotes, as the answer-type check reads them. */
function textsOf(candidate: Candidate): string[] {
  return [candidate.claim.text, ...candidate.claim.citations.map((citation) => citation.quote)];
}

/** Whether two sentences say the same: equal, or one holds the other (a sentence and the pair it opens). */
function repeats(kept: string, candidate: string): boolean {
  if (kept === candidate) return true;
  const [shorter, longer] = kept.length < candidate.length ? [kept, candidate] : [candidate, kept];
  return shorter.length >= 20 && longer.includes(shorter);
}

interface ReadPassageEntry {
  passage: Passage;
  units: Unit[];
  terms: Set<string>;
  /** The passage text as the evidence check compares quotes, computed when first needed. */
  normalised?: string;
}

/**
 * Reads every passage. A passage that opens without a heading inherits the one in force at the end of a returned
 * passage of the same source that ends just before it (a paragraph chunk under its heading's chunk).
 */
function readPassages(passages: readonly Passage[]): { read: ReadPassageEntry[]; origin: Map<Context, ReadPassageEntry> } {
  const order = passages.map((passage, index) => ({ passage, index }));
  // Plain code-unit order, not localeCompare: the result must not depend on the machine's locale.
  order.sort(
    (left, right) =>
      (left.passage.source < right.passage.source ? -1 : left.passage.source > right.passage.source ? 1 : 0) ||
      left.passage.location.startLine - right.passage.location.startLine ||
      left.index - right.index,
  );
  const read = new Map<number, ReadPassageEntry>();
  // The passage each heading was read from: a heading carried into the next passage is quoted from its own.
  const origin = new Map<Context, ReadPassageEntry>();
  let previous: { passage: Passage; trailing: Context | undefined } | undefined;
  for (const { passage, index } of order) {
    const adjacent =
      previous && previous.passage.source === passage.source && passage.location.startLine > previous.passage.location.endLine && passage.location.startLine - previous.passage.location.endLine <= 2;
    const parsed = readPassage(passage.text, adjacent ? previous!.trailing : undefined);
    const entry: ReadPassageEntry = { passage, units: parsed.units, terms: termsOf(passage.text) };
    for (const context of [...parsed.units.flatMap((unit) => [unit.heading, unit.header]), parsed.trailingHeading]) {
      if (context && !origin.has(context)) origin.set(context, entry);
    }
    read.set(index, entry);
    previous = { passage, trailing: parsed.trailingHeading };
  }
  return { read: passages.map((_, index) => read.get(index)!), origin };
}

/**
 * Weighs each key term: 1 + ln(N / df) over the N returned passages, so a term every passage shares counts 1 and a
 * term one passage of six holds about 2.8; names count double. A term no passage holds counts 1: it still weighs in
 * what the answer lacks, without the rarity it was never shown to have.
 */
function weigh(terms: readonly QuestionTerm[], passageTerms: ReadonlyArray<Set<string>>): Weighted[] {
  return terms.map((term) => {
    const documents = passageTerms.filter((set) => set.has(term.key)).length;
    const rarity = documents === 0 ? 1 : 1 + Math.log(passageTerms.length / documents);
    return { term, weight: rarity * (term.name ? 2 : 1), documents };
  });
}

/** Scores a unit against the question; undefined when it does not qualify as a claim at all. */
function score(unit: Unit, entry: ReadPassageEntry, origin: ReadonlyMap<Context, ReadPassageEntry>, weighted: readonly Weighted[], totalWeight: number, code: boolean, rank: number): Candidate | undefined {
  const own = unit.terms;
  if (!weighted.some((entry) => own.has(entry.term.key))) return undefined;
  // "See X for details" sends the reader elsewhere: it answers nothing itself.
  if (POINTER.test(unit.display)) return undefined;
  const leansBack = unit.kind === 'prose' && unit.previous !== undefined && ANAPHOR.test(unit.display);
  const previous = leansBack ? unit.previous : undefined;
  // A sentence quoted with the one before it says what the two say together: the claim is both.
  const stated = previous ? new Set([...own, ...previous.unit.terms]) : own;
  const lacks = (set: Set<string>): boolean => weighted.some((entry) => set.has(entry.term.key) && !stated.has(entry.term.key));
  const heading = unit.heading && unit.heading.quote.length >= 3 && lacks(unit.heading.terms) ? unit.heading : undefined;
  // A table row is read with its header, cell by cell, when the two line up.
  const header = unit.header && unit.cells && unit.header.cells.length === unit.cells.length && unit.header.quote.length >= 3 ? unit.header : undefined;

  const quoted = new Set(stated);
  for (const part of [heading?.terms, header?.terms]) for (const term of part ?? []) quoted.add(term);
  const contextTerms = [unit.heading?.terms, unit.previous?.unit.terms, unit.next?.terms, unit.header?.terms];

  let earned = 0;
  let inQuotes = 0;
  let namesAsked = false;
  let nameQuoted = false;
  for (const { term, weight } of weighted) {
    if (stated.has(term.key)) earned += weight;
    else if (contextTerms.some((set) => set?.has(term.key))) earned += weight * CONTEXT_CREDIT;
    if (quoted.has(term.key)) inQuotes += 1;
    if (term.name) {
      namesAsked = true;
      if (quoted.has(term.key)) nameQuoted = true;
    }
  }
  const relevance = earned / totalWeight;
  if (relevance < MIN_SCORE || inQuotes / weighted.length < MIN_QUOTED_COVERAGE || (namesAsked && !nameQuoted)) return undefined;

  const built = buildClaim(unit, entry, (context) => origin.get(context) ?? entry, previous, heading, header);
  if (!built) return undefined;
  const { claim, cited } = built;
  // Small tie-breakers: a sentence whose subject is a key term ("Baton is ..."), and code when code was asked for.
  const first = stemmedWords(unit.display.slice(0, 80))[0]?.key;
  const subject = first !== undefined && weighted.some((entry) => entry.term.key === first) ? 0.05 : 0;
  const codeBonus = code && unit.kind === 'code' ? 0.05 : 0;
  const main = previous?.joined ?? unit.quote;
  return {
    claim,
    cited,
    quotes: claim.citations.map((citation) => normaliseForQuote(citation.quote)),
    key: normaliseForQuote(main),
    score: relevance + subject + codeBonus,
    rank,
  };
}

/** The claim for a unit with the context it quotes; undefined for a fragment nothing completes. */
function buildClaim(
  unit: Unit,
  entry: ReadPassageEntry,
  originOf: (context: Context) => ReadPassageEntry,
  previous: Unit['previous'],
  heading: Context | undefined,
  header: (Context & { cells: string[] }) | undefined,
): { claim: ClaimDraft; cited: ReadPassageEntry[] } | undefined {
  const citations: ClaimDraft['citations'] = [];
  const cited: ReadPassageEntry[] = [];
  const cite = (quote: string, from = entry): void => {
    citations.push({ source: from.passage.source, quote, chunkId: from.passage.chunkId });
    cited.push(from);
  };
  let body = unit.display;
  if (header && unit.cells) {
    body = unit.cells.map((cell, index) => (cell ? `${header.cells[index] ? `${header.cells[index]}: ` : ''}${cell}` : '')).filter(Boolean).join('; ');
    cite(header.quote, originOf(header));
  }
  if (heading) cite(heading.quote, originOf(heading));
  if (previous?.joined) cite(previous.joined);
  else {
    if (previous) cite(previous.unit.quote);
    cite(unit.quote);
  }
  if (previous) body = `${previous.unit.display} ${body}`;
  const text = heading ? `${heading.display.replace(/[\s:]+$/, '')}: ${body}` : body;

  const completed = heading !== undefined || previous !== undefined || header !== undefined;
  if (wordCount(unit.display) < (completed ? 2 : MIN_WORDS) || wordCount(text) < 3) return undefined;
  return { claim: { text, citations }, cited };
}

/**
 * Whether every quote of a candidate stands in its passage as the evidence check compares them. The parser keeps
 * quotes verbatim, so this only guards against a case it reads wrong; it runs for the few candidates selected.
 */
function quotesStand(candidate: Candidate): boolean {
  return candidate.claim.citations.every((citation, index) => {
    const entry = candidate.cited[index]!;
    entry.normalised ??= normaliseForQuote(entry.passage.text);
    const quote = candidate.quotes[index]!;
    return citation.quote.length >= 3 && quote.length > 0 && entry.normalised.includes(quote);
  });
}

/** Why nothing answers: the key terms no passage mentions, or else that no sentence brings them together. */
function missingReason(weighted: readonly Weighted[]): string {
  const missing = weighted.filter((entry) => entry.documents === 0).map((entry) => entry.term.label);
  if (missing.length > 0) return `none mentions ${listTerms(missing, 'or')}`;
  return `no sentence mentions enough of ${listTerms(
    weighted.map((entry) => entry.term.label),
    'and',
  )} together`;
}

function noAnswer(question: string, reason: string): ResearchOutput {
  return { claims: [], gaps: [`no passage answers "${question}": ${reason}`] };
}
