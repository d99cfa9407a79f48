/**
 * What an eval measures, defined once. Deterministic string checks on the run's answer and citations, no model: a
 * score that moves only because the answers moved.
 *
 * Text is compared the way the evidence check compares quotes ({@link normaliseForQuote}: case, punctuation and
 * spacing ignored), and a fact must appear as whole words: `true` is found in "set it to true." but not in "untrue".
 *
 * Per question:
 * - approved: the run ended `approved` (the checker verified the answer).
 * - correct: approved, every fact entry appears in the answer (an entry of alternatives: any one of them), and at least
 *   one citation's source ends with an expected source (path suffix, `\` read as `/`, at a `/` boundary).
 * - wrongButApproved: an answerable question approved without being correct.
 * - unanswerableButApproved: a question marked `answerable: false` approved at all.
 * - citations / preciseCitations: counted in approved answers only. A citation is precise when its source matches an
 *   expected source AND its claim (the answer sentence carrying its `[n]` marker) or its quote contains at least one
 *   fact entry. It stands in for "the quote supports its claim and is relevant to the question": the deterministic
 *   evidence check already ensured every approved quote occurs in its source. Every citation of an approved answer to
 *   an unanswerable question is imprecise.
 *
 * Totals: counts of the above; approvedCorrect as a count and a share of the answerable questions (1 when there are
 * none: nothing could be missed); citation precision = precise / cited over approved answers (1 when no approved answer
 * cites anything); rounds, tokens and cost summed and averaged; latency as p50 and p95 (nearest rank).
 *
 * The suite passes when no wrong answer and no unanswerable question was approved and every threshold is met.
 */
import { normaliseForQuote } from '../roles/evidence.js';
import { ANSWER_SENTENCE_BREAK } from '../graph/compose.js';
import type { RunStatus } from '../graph/status.js';
import type { RunOutcome } from '../runtime/run.js';
import type { SuiteQuestion, SuiteThresholds } from './suite.js';

/** What a run gave back, as much as the eval reads: a `RunOutcome` of `runGoal`, or a run that could not start. */
export type EvalRunOutcome = Omit<RunOutcome, 'runId' | 'objections'> & {
  /** Null when no run could be started (the error says why). */
  runId: string | null;
};

/** The score of one question. */
export interface QuestionResult {
  id: string;
  question: string;
  answerable: boolean;
  /** The run's id (`baton show <runId>`), or null when no run could be started. */
  runId: string | null;
  status: RunStatus;
  approved: boolean;
  correct: boolean;
  wrongButApproved: boolean;
  unanswerableButApproved: boolean;
  /** Fact entries not found in the answer, each as its alternatives joined by " | " (answerable questions only). */
  missingFacts: string[];
  /** Whether some citation's source matches an expected source. */
  expectedSourceCited: boolean;
  /** Citations of an approved answer (0 otherwise). */
  citations: number;
  preciseCitations: number;
  rounds: number;
  inputTokens: number;
  outputTokens: number;
  tokens: number;
  costUsd: number;
  costEstimated: boolean;
  latencyMs: number;
  /** The answer as the run gave it (approved or not), for reading why a question failed. */
  answer: string | null;
  error: { code: string; message: string; hint?: string } | null;
}

/** Counts and shares over a set of question results. */
export interface EvalTotals {
  questions: number;
  answerable: number;
  unanswerable: number;
  approved: number;
  /** Runs that ended `failed` (an error ended them, or none could be started). */
  failed: number;
  approvedCorrect: { count: number; share: number };
  wrongButApproved: number;
  unanswerableButApproved: number;
  citationPrecision: { precise: number; cited: number; share: number };
  rounds: { total: number; mean: number };
  tokens: { input: number; output: number; total: number; mean: number };
  cost: { totalUsd: number; meanUsd: number; estimated: boolean };
  latency: { p50Ms: number; p95Ms: number; totalMs: number };
}

/** A gate the suite missed. */
export interface GateFailure {
  gate: 'wrongButApproved' | 'unanswerableButApproved' | 'approvedCorrect' | 'citationPrecision' | 'failedRuns' | 'incomplete';
  /** What was measured (a count or a share). */
  actual: number;
  /** The limit: 0 for the counts, the threshold for the shares, the number of questions for `incomplete`. */
  expected: number;
  message: string;
}

/** Whether a normalised text holds the normalised phrase as whole words. */
function holdsPhrase(normalisedText: string, phrase: string): boolean {
  const normalisedPhrase = normaliseForQuote(phrase);
  return normalisedPhrase !== '' && ` ${normalisedText} `.includes(` ${normalisedPhrase} `);
}

/**
 * Whether a text holds a fact that carries punctuation (`.baton`, `C++`, `@fastify/cors`, `5.10`) as written: case
 * and runs of spaces aside, not next to another letter or digit. Normalised away, such a fact would be found in words
 * that do not state it (`.baton` in "Baton").
 */
function holdsLiteral(text: string, phrase: string): boolean {
  const haystack = text.toLowerCase().replace(/\s+/g, ' ');
  const needle = phrase.toLowerCase().replace(/\s+/g, ' ').trim();
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + 1)) {
    const before = haystack[at - 1] ?? ' ';
    const after = haystack[at + needle.length] ?? ' ';
    if (!/[\p{L}\p{N}]/u.test(before) && !/[\p{L}\p{N}]/u.test(after)) return true;
  }
  return false;
}

/**
 * Whether `text` states the fact entry: any one of its alternatives, as whole words with case and punctuation aside,
 * or as written when the fact itself carries punctuation.
 */
export function containsFact(text: string, alternatives: readonly string[]): boolean {
  const normalised = normaliseForQuote(text);
  return alternatives.some((alternative) => (/[^\p{L}\p{N}\s]/u.test(alternative) ? holdsLiteral(text, alternative) : holdsPhrase(normalised, alternative)));
}

/** `[n]` citation markers, which are no part of what an answer states. */
const MARKERS = /\s*\[\d+\]/g;

/**
 * What an answer states: its sentences that carry a citation marker (the claims), markers removed. The plan step
 * questions Baton puts over its claims, and anything else uncited, state nothing: a fact found only there (because
 * the question holds it) is not in the answer. An answer with no marker at all is read whole.
 */
export function statedText(answer: string): string {
  const cited = answer
    .split('\n')
    .flatMap((line) => line.split(ANSWER_SENTENCE_BREAK))
    .filter((sentence) => /\[\d+\]/.test(sentence));
  return (cited.length ? cited.join('\n') : answer).replace(MARKERS, '');
}

function normaliseSourcePath(value: string): string {
  return value.trim().replace(/\\/g, '/').replace(/^(\.\/)+/, '').replace(/\/+$/, '');
}

/** Whether a cited source ends with the expected path suffix, at a `/` boundary (`Server.md` does not match `MyServer.md`). */
export function sourceMatches(citedSource: string, expectedSuffix: string): boolean {
  const cited = normaliseSourcePath(citedSource);
  const suffix = normaliseSourcePath(expectedSuffix);
  if (suffix === '') return false;
  return cited === suffix || cited.endsWith(suffix.startsWith('/') ? suffix : `/${suffix}`);
}


/**
 * The claim a citation marker supports: every sentence of the answer that carries `[marker]`, joined by a space.
 * Drafts composed by Baton put one claim per line (`- claim [1][2]`); a rewritten answer may put several sentences on
 * a line, so a line is cut into sentences first. Empty when the answer never shows the marker.
 */
export function claimTextOf(answer: string, marker: number): string {
  const tag = `[${marker}]`;
  const sentences = answer
    .split('\n')
    .filter((line) => line.includes(tag))
    .flatMap((line) => line.split(ANSWER_SENTENCE_BREAK))
    .filter((sentence) => sentence.includes(tag));
  return sentences.join(' ').replace(MARKERS, '');
}

/** Scores one question's run. */
export function scoreQuestion(question: SuiteQuestion, outcome: EvalRunOutcome): QuestionResult {
  const approved = outcome.status === 'approved';
  const answer = outcome.result?.answer ?? null;
  const cited = outcome.result?.citations ?? [];
  const expectedSourceCited = question.sources.length > 0 && cited.some((citation) => question.sources.some((source) => sourceMatches(citation.source, source)));
  const stated = statedText(answer ?? '');
  const missingFacts = question.facts.filter((fact) => !containsFact(stated, fact)).map((fact) => fact.join(' | '));
  const correct = approved && question.answerable && missingFacts.length === 0 && expectedSourceCited;
  const counted = approved ? cited : [];
  const preciseCitations = question.answerable
    ? counted.filter((citation) => {
        if (!question.sources.some((source) => sourceMatches(citation.source, source))) return false;
        const claim = claimTextOf(answer ?? '', citation.marker);
        return question.facts.some((fact) => containsFact(claim, fact) || containsFact(citation.quote, fact));
      }).length
    : 0;
  return {
    id: question.id,
    question: question.question,
    answerable: question.answerable,
    runId: outcome.runId,
    status: outcome.status,
    approved,
    correct,
    wrongButApproved: question.answerable && approved && !correct,
    unanswerableButApproved: !question.answerable && approved,
    missingFacts,
    expectedSourceCited,
    citations: counted.length,
    preciseCitations,
    rounds: outcome.rounds,
    inputTokens: outcome.inputTokens,
    outputTokens: outcome.outputTokens,
    tokens: outcome.inputTokens + outcome.outputTokens,
    costUsd: outcome.costUsd,
    costEstimated: outcome.costEstimated,
    latencyMs: Math.round(outcome.durationMs),
    answer,
    error: outcome.error,
  };
}

/** The value at the given percentile (0..100) of the values, by nearest rank; 0 for none. */
export function percentile(values: readonly number[], rank: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((left, right) => left - right);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((rank / 100) * sorted.length) - 1));
  return sorted[index] ?? 0;
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

/** Totals over the question results. */
export function computeTotals(results: readonly QuestionResult[]): EvalTotals {
  const count = (predicate: (result: QuestionResult) => boolean) => results.filter(predicate).length;
  const questions = results.length;
  const answerable = count((result) => result.answerable);
  const approvedCorrect = count((result) => result.correct);
  const precise = sum(results.map((result) => result.preciseCitations));
  const cited = sum(results.map((result) => result.citations));
  const rounds = sum(results.map((result) => result.rounds));
  const input = sum(results.map((result) => result.inputTokens));
  const output = sum(results.map((result) => result.outputTokens));
  const cost = sum(results.map((result) => result.costUsd));
  const latencies = results.map((result) => result.latencyMs);
  const mean = (total: number) => (questions === 0 ? 0 : total / questions);
  return {
    questions,
    answerable,
    unanswerable: questions - answerable,
    approved: count((result) => result.approved),
    failed: count((result) => result.status === 'failed'),
    approvedCorrect: { count: approvedCorrect, share: answerable === 0 ? 1 : approvedCorrect / answerable },
    wrongButApproved: count((result) => result.wrongButApproved),
    unanswerableButApproved: count((result) => result.unanswerableButApproved),
    citationPrecision: { precise, cited, share: cited === 0 ? 1 : precise / cited },
    rounds: { total: rounds, mean: mean(rounds) },
    tokens: { input, output, total: input + output, mean: mean(input + output) },
    cost: { totalUsd: cost, meanUsd: mean(cost), estimated: results.some((result) => result.costEstimated) },
    latency: { p50Ms: percentile(latencies, 50), p95Ms: percentile(latencies, 95), totalMs: sum(latencies) },
  };
}

/** Shares are compared with this much slack, so 4/5 meets a threshold of 0.8 whatever the floating point says. */
const SHARE_EPSILON = 1e-9;

function percent(share: number): string {
  return `${(share * 100).toFixed(1).replace(/\.0$/, '')}%`;
}

function idsOf(results: readonly QuestionResult[], predicate: (result: QuestionResult) => boolean): string {
  const ids = results.filter(predicate).map((result) => result.id);
  return ids.length > 10 ? `${ids.slice(0, 10).join(', ')}, ...` : ids.join(', ');
}

/**
 * The gates a result set misses: any wrong answer approved, any unanswerable question approved, a threshold not met,
 * and (when `expectedQuestions` is given and more than were scored, as after Ctrl-C) an incomplete eval.
 */
export function checkGates(results: readonly QuestionResult[], totals: EvalTotals, thresholds: SuiteThresholds, expectedQuestions = results.length): GateFailure[] {
  const failures: GateFailure[] = [];
  if (totals.wrongButApproved > 0) {
    failures.push({ gate: 'wrongButApproved', actual: totals.wrongButApproved, expected: 0, message: `${totals.wrongButApproved} answer(s) approved but wrong: ${idsOf(results, (result) => result.wrongButApproved)}` });
  }
  if (totals.unanswerableButApproved > 0) {
    failures.push({ gate: 'unanswerableButApproved', actual: totals.unanswerableButApproved, expected: 0, message: `${totals.unanswerableButApproved} unanswerable question(s) approved: ${idsOf(results, (result) => result.unanswerableButApproved)}` });
  }
  const { approvedCorrect, citationPrecision } = thresholds;
  if (approvedCorrect !== undefined && totals.approvedCorrect.share + SHARE_EPSILON < approvedCorrect) {
    failures.push({
      gate: 'approvedCorrect',
      actual: totals.approvedCorrect.share,
      expected: approvedCorrect,
      message: `approved and correct ${percent(totals.approvedCorrect.share)} (${totals.approvedCorrect.count}/${totals.answerable}) is below the threshold ${percent(approvedCorrect)}`,
    });
  }
  if (citationPrecision !== undefined && totals.citationPrecision.share + SHARE_EPSILON < citationPrecision) {
    failures.push({
      gate: 'citationPrecision',
      actual: totals.citationPrecision.share,
      expected: citationPrecision,
      message: `citation precision ${percent(totals.citationPrecision.share)} (${totals.citationPrecision.precise}/${totals.citationPrecision.cited}) is below the threshold ${percent(citationPrecision)}`,
    });
  }
  const maxFailed = thresholds.maxFailedRuns ?? 0;
  if (totals.failed > maxFailed) {
    failures.push({ gate: 'failedRuns', actual: totals.failed, expected: maxFailed, message: `${totals.failed} run(s) failed (at most ${maxFailed} may): ${idsOf(results, (result) => result.status === 'failed')}` });
  }
  if (results.length < expectedQuestions) {
    failures.push({ gate: 'incomplete', actual: results.length, expected: expectedQuestions, message: `only ${results.length} of ${expectedQuestions} question(s) ran: the eval was cancelled` });
  }
  return failures;
}
