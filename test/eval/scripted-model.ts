/**
 * A scripted stand-in for an LLM, for running the shipped eval suites in-process (see scripted-suites.int.test.ts).
 *
 * - Planner: the offline engine.
 * - Researcher: capable but sloppy. It knows the suite question behind the goal (the test gives it the suite), so it
 *   can find the sentence(s) of the passages it was shown that hold the expected facts, and it quotes them verbatim
 *   (exact substrings of `passage.text`). In round 1 it also adds a distractor: a real sentence, quoted verbatim, that
 *   holds none of the expected facts, from the best-ranked passage that holds none of them. For an unanswerable
 *   question it only ever has distractors, one or two per step, in every round (a different pick each round).
 * - Checker: lax, approves every claim it is shown; only the deterministic checks can reject.
 *
 * Everything is a pure function of the request, the suite question and the round, so the figures are deterministic.
 */
import { containsFact, sourceMatches } from '../../src/eval/metrics.js';
import type { SuiteQuestion } from '../../src/eval/suite.js';
import type { Passage } from '../../src/knowledge/types.js';
import { OfflineModel } from '../../src/models/offline/index.js';
import { ScriptedModel, type ScriptedReply } from '../../src/models/scripted.js';
import type { ModelRequest } from '../../src/models/types.js';
import type { CheckTask, PlanTask, ResearchTask } from '../../src/roles/tasks.js';

/** A sentence of a passage: its exact text in the passage, and where it came from. */
export interface PassageSentence {
  /** Exactly as in `passage.text` (line breaks included), so it occurs in the source. */
  quote: string;
  source: string;
  chunkId: string;
  /** Rank of its passage in the search, 0 best. */
  passageRank: number;
  /** Order of the sentence in its passage. */
  index: number;
}

/** Fewer words than this is a fragment (a label, a link), not something a researcher would state as a claim. */
const MIN_WORDS = 6;
const FENCE = /^\s{0,3}(`{3,}|~{3,})/;
const SKIPPED_LINE = /^\s*(?:#{1,6}\s|\||<|\[[^\]]+\]:|:::|!!!|---+\s*$|===+\s*$)/;
/** A sentence ends at `.`, `!` or `?` (and closing marks) before whitespace and a capital, digit or opening mark. */
const SENTENCE_END = /(?<=[.!?]["')\]*_`]*)\s+(?=[A-Z0-9"'`([*_])/g;

/**
 * Code outside backticks: braces, arrows, comments, statements, calls. A passage may start inside a code fence it
 * does not show the start of, so fences alone do not find every line of code.
 */
function looksLikeCode(text: string): boolean {
  const prose = text
    .replace(/`[^`]*`/g, '')
    .replace(/\]\([^)]*\)/g, ']')
    .replace(/https?:\/\/\S+/g, '');
  return /[{}]|;\s*$|=>|\/\/|\/\*|\b[A-Za-z_$][\w$]*\.[A-Za-z_$][\w$]*\(|^\s*(?:const|let|var|import|export|await|return)\s/m.test(prose);
}

/**
 * The prose sentences of a passage, each an exact substring of `passage.text`. Paragraphs are runs of lines between
 * blank lines, outside code fences; headings, tables, HTML and link definitions are left out.
 */
export function sentencesOf(passage: Passage, passageRank: number): PassageSentence[] {
  const sentences: PassageSentence[] = [];
  const lines = passage.text.split('\n');
  let offset = 0;
  let fence: string | undefined;
  let paragraph: { start: number; end: number } | undefined;
  const flush = () => {
    if (!paragraph) return;
    const text = passage.text.slice(paragraph.start, paragraph.end);
    let start = 0;
    for (const match of text.matchAll(SENTENCE_END)) {
      push(text.slice(start, match.index));
      start = match.index + match[0].length;
    }
    push(text.slice(start));
    paragraph = undefined;
  };
  const push = (raw: string) => {
    const quote = raw.replace(/^\s*(?:[-*+]|\d{1,3}[.)])\s+/, '').trim();
    if ((quote.match(/[\p{L}\p{N}]+/gu) ?? []).length < MIN_WORDS || looksLikeCode(quote)) return;
    sentences.push({ quote, source: passage.source, chunkId: passage.chunkId, passageRank, index: sentences.length });
  };
  for (const line of lines) {
    const fenceMatch = FENCE.exec(line);
    if (fence !== undefined) {
      if (fenceMatch && fenceMatch[1]!.startsWith(fence)) fence = undefined;
    } else if (fenceMatch) {
      flush();
      fence = fenceMatch[1]!;
    } else if (line.trim() === '' || SKIPPED_LINE.test(line)) {
      flush();
    } else if (/^\s*(?:[-*+]|\d{1,3}[.)])\s+/.test(line)) {
      // A list item starts a paragraph of its own: items are statements of their own.
      flush();
      paragraph = { start: offset, end: offset + line.length };
    } else if (paragraph) {
      paragraph.end = offset + line.length;
    } else {
      paragraph = { start: offset, end: offset + line.length };
    }
    offset += line.length + 1;
  }
  flush();
  return sentences;
}

/** The claim text of a quoted sentence: the same words, on one line. */
function claimText(sentence: PassageSentence): string {
  return sentence.quote.replace(/\s+/g, ' ');
}

function factsIn(text: string, question: SuiteQuestion): number[] {
  return question.facts.flatMap((fact, index) => (containsFact(text, fact) ? [index] : []));
}

/** Lower-case words of four or more letters: a rough measure of how close a sentence is to a question. */
function words(text: string): Set<string> {
  return new Set((text.toLowerCase().match(/[\p{L}\p{N}]{4,}/gu) ?? []));
}

function overlap(sentence: PassageSentence, question: string): number {
  const wanted = words(question);
  return [...words(sentence.quote)].filter((word) => wanted.has(word)).length;
}

/**
 * The sentences that state the question's facts, as a capable researcher would pick them: one sentence holding every
 * fact when there is one, else the fewest sentences (at most three, greedily) that together hold them all; none when
 * the passages do not hold every fact. Sentences of an expected source come first, then those closer to the step's
 * question, then the better-ranked passage.
 */
export function answerSentences(sentences: readonly PassageSentence[], question: SuiteQuestion, stepQuestion: string): PassageSentence[] {
  if (!question.answerable || question.facts.length === 0) return [];
  const expected = (sentence: PassageSentence) => question.sources.some((source) => sourceMatches(sentence.source, source));
  const ranked = sentences
    .map((sentence) => ({ sentence, facts: factsIn(sentence.quote, question), expected: expected(sentence), overlap: overlap(sentence, stepQuestion) }))
    .filter((entry) => entry.facts.length > 0)
    .sort((left, right) => Number(right.expected) - Number(left.expected) || right.overlap - left.overlap || left.sentence.passageRank - right.sentence.passageRank || left.sentence.index - right.sentence.index);
  const missing = new Set(question.facts.map((_, index) => index));
  const chosen: PassageSentence[] = [];
  while (missing.size > 0 && chosen.length < 3) {
    let best: (typeof ranked)[number] | undefined;
    let bestGain = 0;
    for (const entry of ranked) {
      const gain = entry.facts.filter((fact) => missing.has(fact)).length;
      if (gain > bestGain) {
        best = entry;
        bestGain = gain;
      }
    }
    if (!best) break;
    chosen.push(best.sentence);
    for (const fact of best.facts) missing.delete(fact);
  }
  return missing.size === 0 ? chosen : [];
}

/**
 * Distractors: real sentences holding none of the expected facts, from the best-ranked passage that holds none of
 * them (any passage for an unanswerable question), skipping `skip` candidates so that later rounds pick others.
 */
export function distractorSentences(sentences: readonly PassageSentence[], question: SuiteQuestion, count: number, skip = 0): PassageSentence[] {
  const passageHasFact = new Set<number>();
  for (const sentence of sentences) if (factsIn(sentence.quote, question).length > 0) passageHasFact.add(sentence.passageRank);
  const candidates = sentences.filter((sentence) => !passageHasFact.has(sentence.passageRank));
  const pool = candidates.length > 0 ? candidates : sentences.filter((sentence) => factsIn(sentence.quote, question).length === 0);
  if (pool.length === 0) return [];
  const start = skip % pool.length;
  return [...pool.slice(start), ...pool.slice(0, start)].slice(0, count);
}

function research(claims: readonly PassageSentence[], gaps: string[]): string {
  return JSON.stringify({
    claims: claims.map((sentence) => ({ text: claimText(sentence), citations: [{ source: sentence.source, quote: sentence.quote, chunkId: sentence.chunkId }] })),
    gaps,
  });
}

/** What the scripted researcher sent, per run goal, for the test's assertions. */
export interface ResearchLog {
  /** Research calls that carried a distractor claim, by round. */
  distractorRounds: Set<number>;
  /** Claims answered with the fact sentences, by round. */
  answerRounds: Set<number>;
}

/**
 * The scripted model for one suite. `questions` maps each goal (the suite question text) to its suite question; the
 * round of a run is read from the planner's task, which comes before the research of that round.
 */
export function sloppyModel(questions: readonly SuiteQuestion[]): { model: ScriptedModel; log: Map<string, ResearchLog> } {
  const byGoal = new Map(questions.map((question) => [question.question, question]));
  const rounds = new Map<string, number>();
  const log = new Map<string, ResearchLog>();
  const offline = new OfflineModel();
  const logOf = (goal: string): ResearchLog => {
    let entry = log.get(goal);
    if (!entry) {
      entry = { distractorRounds: new Set(), answerRounds: new Set() };
      log.set(goal, entry);
    }
    return entry;
  };

  const model = new ScriptedModel(async (request: ModelRequest): Promise<ScriptedReply> => {
    const task = request.task;
    if (task.kind === 'plan') rounds.set(task.goal, (task as PlanTask).round);
    if (task.kind === 'research') {
      const researchTask = task as ResearchTask;
      const question = byGoal.get(researchTask.goal);
      if (!question) throw new Error(`the scripted researcher does not know the goal "${researchTask.goal}"`);
      const round = rounds.get(researchTask.goal) ?? 1;
      const sentences = researchTask.passages.flatMap((passage, rank) => sentencesOf(passage, rank));
      const entry = logOf(researchTask.goal);
      if (!question.answerable) {
        const distractors = distractorSentences(sentences, question, 2, (round - 1) * 2);
        if (distractors.length > 0) entry.distractorRounds.add(round);
        return research(distractors, []);
      }
      const answer = answerSentences(sentences, question, researchTask.step.question);
      const distractors = round === 1 ? distractorSentences(sentences, question, 1).filter((sentence) => !answer.includes(sentence)) : [];
      if (answer.length > 0) entry.answerRounds.add(round);
      if (distractors.length > 0) entry.distractorRounds.add(round);
      // Neutral words: naming the expected facts would hand them to the planner's revision.
      const gaps = answer.length > 0 ? [] : ['the passages shown do not answer the question'];
      return research([...answer, ...distractors], gaps);
    }
    if (task.kind === 'check') {
      const checkTask = task as CheckTask;
      return JSON.stringify({ decision: 'approve', claims: checkTask.claims.map((claim) => ({ id: claim.id, supported: true, relevant: true })), objections: [] });
    }
    const reply = await offline.generate(request);
    return { text: reply.text, usage: { inputTokens: reply.usage.inputTokens, outputTokens: reply.usage.outputTokens } };
  });
  return { model, log };
}
