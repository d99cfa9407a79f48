/**
 * Offline planner strategy: one step per question the goal asks. A goal is split only where it holds several
 * questions (see {@link splitGoal}); a single question stays whole. On a revision it keeps every question whole and
 * adds to a rejected one the goal's key terms no step asked about.
 *
 * Whatever the goal (one letter, an acronym, punctuation, emoji, any script or line separator), every plan it returns
 * validates against the planner's own schema: the offline engine must never be the reason a run fails.
 */
import { contentTerms } from '../../knowledge/text.js';
import { stemmedWords } from './terms.js';
import type { PlanTask } from '../../roles/tasks.js';
import { PlanStep, type Plan } from '../../roles/schemas.js';

/** The shortest question the plan schema accepts, read from the schema so the two cannot drift apart. */
const MIN_QUESTION = PlanStep.shape.question.minLength ?? 1;

/** Whether the schema accepts `question` as long enough; it counts code points, so "🚀🚀" is two characters. */
function longEnough(question: string): boolean {
  return [...question].length >= MIN_QUESTION;
}

/** Line breaks a goal may hold: newline and the Unicode line and paragraph separators (U+2028, U+2029). */
const LINE_BREAKS = /[\n\u2028\u2029]+/;

/** Words that open a question: the wh-words and the auxiliaries of a yes/no question. */
const QUESTION_WORDS = 'what|how|why|when|where|which|who|whom|whose|does|do|did|is|are|was|were|can|could|should|will|would|may|might|must|has|have|had';
/** Verbs that open a request. */
const REQUEST_WORDS =
  'list|describe|explain|compare|contrast|summari[sz]e|outline|define|identify|tell|give|show|find|name|write|research|investigate|determine|provide|evaluate|assess|analy[sz]e|discuss|check|verify|please';
const OPENS_QUESTION = new RegExp(`^(?:${QUESTION_WORDS}|${REQUEST_WORDS})\\b`, 'i');
/** A wh-word: only a clause opening with one after "and" or ";" is taken for a second question. */
const WH = 'what|how|why|when|where|which|who|whom|whose';
/** Where a sentence may hold a second question: ", and", "and" or ";" before a wh-word. */
const BEFORE_SECOND_QUESTION = `(?:\\s*,\\s*and\\s+|\\s+and\\s+|\\s*;\\s*(?:and\\s+)?)(?=(?:${WH})\\b)`;
const SECOND_QUESTION = new RegExp(BEFORE_SECOND_QUESTION, 'gi');
/** The next such place, to bound a right-hand clause. */
const SECOND_QUESTION_AHEAD = new RegExp(BEFORE_SECOND_QUESTION, 'i');
/** A clause that refers back to the one before it ("and when was it built") cannot be asked on its own. */
const REFERS_BACK = /\b(?:it|its|they|them|their|this|that|these|those|he|she|his|her|one)\b/i;
/** Words with which a clause asks nothing of its own ("and how it works"). */
const GENERIC_TERMS = new Set(['work', 'happen', 'mean', 'matter', 'exist', 'look', 'like', 'behave', 'differ', 'relate', 'compare', 'use', 'used']);

/** One sentence or line of a goal, and whether it is a question or request of its own. */
interface Piece {
  text: string;
  asks: boolean;
}

/**
 * The research questions in a goal, in order. A goal is split only where it holds several questions: sentences or
 * lines that are each a question or a request, and a wh-clause after ", and", "and" or ";" when both sides are whole
 * questions with content terms of their own ("What does a lighthouse warn ships about, and what does the Fresnel lens
 * do?"). One question stays one step, whole: "How do I drop redacted keys and is there a default?" is not cut. A
 * sentence that asks nothing ("I use pino.") stays with the question after it, or the one before it at the end.
 * Empty when the goal has no content terms (the caller then asks the goal whole).
 */
export function splitGoal(goal: string): string[] {
  if (contentTerms(goal).length === 0) return [];
  const pieces: Piece[] = [];
  for (const line of goal.split(LINE_BREAKS)) {
    const listItem = /^\s*(?:[-*+•]|\d{1,3}[.)])\s+\S/.test(line);
    for (const sentence of line.replace(/^\s*(?:[-*+•]|\d{1,3}[.)])\s+/, '').split(/(?<=[?!.？！。])\s+/)) {
      const cleaned = sentence.replace(/^[\s,;:-]+|[\s,;:]+$/g, '').trim();
      // Pure punctuation adds nothing to a question; anything with a letter, digit or emoji stays in the plan.
      if (!/[\p{L}\p{N}\p{Extended_Pictographic}]/u.test(cleaned)) continue;
      for (const clause of secondQuestions(cleaned)) pieces.push({ text: clause, asks: asksOnItsOwn(clause, listItem) });
    }
  }
  const groups: Piece[][] = [];
  let pending: Piece[] = [];
  for (const piece of pieces) {
    if (piece.asks) {
      groups.push([...pending, piece]);
      pending = [];
    } else pending.push(piece);
  }
  if (pending.length > 0) {
    if (groups.length > 0) groups[groups.length - 1]!.push(...pending);
    else groups.push(pending);
  }
  // A group that ends with its question is asked as one ("Explain X." -> "Explain X?"); one that ends with a statement
  // ("How do I drop keys? I log with pino.") keeps the statement's full stop.
  const questions = groups.map((group) => {
    const text = group.map((piece) => piece.text).join(' ');
    return group[group.length - 1]!.asks ? text.replace(/[.!]$/, '?') : text;
  });
  return mergeShortClauses(questions).map(asQuestion);
}

/** Whether a sentence is a question or request with content terms of its own. */
function asksOnItsOwn(text: string, listItem: boolean): boolean {
  if (contentTerms(text).length === 0) return false;
  return listItem || /[?？]$/.test(text) || OPENS_QUESTION.test(text);
}

/**
 * A sentence cut where a second question starts: before a wh-word after ", and", "and" or ";", when the part before
 * opens as a question or request and both parts ask about content terms of their own, and the second part names its
 * subject (does not lean on "it", "they" and the like) and says more than "how it works".
 */
function secondQuestions(sentence: string): string[] {
  const clauses: string[] = [];
  let start = 0;
  let cut = 0;
  for (const match of sentence.matchAll(SECOND_QUESTION)) {
    const left = sentence.slice(start, match.index).trim();
    const rightStart = match.index + match[0].length;
    const next = sentence.slice(rightStart);
    const nextEnd = next.search(SECOND_QUESTION_AHEAD);
    const right = (nextEnd >= 0 ? next.slice(0, nextEnd) : next).trim();
    if (wholeQuestion(left) && wholeQuestion(right) && !REFERS_BACK.test(right)) {
      clauses.push(left);
      start = rightStart;
      cut += 1;
    }
  }
  clauses.push(sentence.slice(start).trim());
  return cut === 0 ? [sentence] : clauses.filter(Boolean);
}

/** Whether a clause opens as a question or request and asks about at least one specific term. */
function wholeQuestion(clause: string): boolean {
  if (!OPENS_QUESTION.test(clause)) return false;
  const words = clause.split(/\s+/).length;
  return words >= 3 && contentTerms(clause).some((term) => !GENERIC_TERMS.has(term));
}

/**
 * Clauses too short to be a question on their own ("Go" on a line of its own) joined to the clause before them, or to
 * the one after when they come first: the words stay in the plan, and no step breaks the schema's minimum length. Short
 * clauses with nothing to join are dropped (the caller then asks the goal whole).
 */
function mergeShortClauses(clauses: readonly string[]): string[] {
  const merged: string[] = [];
  // Short clauses before the first long enough one; only ever set while `merged` is empty.
  let pending = '';
  for (const clause of clauses) {
    const joined = pending ? `${pending} ${clause}` : clause;
    if (longEnough(asQuestion(joined))) {
      merged.push(joined);
      pending = '';
    } else if (merged.length > 0) merged[merged.length - 1] = `${merged[merged.length - 1]!} ${clause}`;
    else pending = joined;
  }
  return merged;
}

/** The goal asked as one question; text too short to be one is asked about, so the step still validates. */
function wholeGoal(goal: string): string {
  const flat = goal.replace(/\s+/g, ' ').trim();
  return longEnough(flat) ? flat : `What is "${flat}"?`;
}

/** A clause capitalised, with a question mark when it opens as a question or request and has no final mark. */
function asQuestion(clause: string): string {
  const capitalised = clause.charAt(0).toUpperCase() + clause.slice(1);
  if (/[?!.？！。]$/.test(capitalised)) return capitalised;
  return OPENS_QUESTION.test(clause) ? `${capitalised}?` : capitalised;
}

export function offlinePlan(task: PlanTask): Plan {
  if (task.previousPlan && task.objections.length > 0) return revisePlan(task);
  const questions = splitGoal(task.goal);
  const selected = (questions.length > 0 ? questions : [wholeGoal(task.goal)]).slice(0, task.maxSteps);
  return {
    steps: selected.map((question, index) => ({
      id: `s${index + 1}`,
      question,
      rationale: selected.length > 1 ? `part ${index + 1} of ${selected.length} of the goal` : 'the goal as one question',
    })),
    notes: selected.length > 1 ? 'offline engine: one step per question of the goal' : 'offline engine: the goal asks one question',
  };
}

/**
 * A revision keeps every step whole. The search already matches a question by its key terms, so rewording a rejected
 * question into bare keywords finds the same passages and only loses what the question asked (and the relevance check
 * reads the step's question). What can help is a key term of the goal that no step asks about: a rejected step keeps
 * its question and gains those terms; with none, it is kept as it was and says why.
 */
function revisePlan(task: PlanTask): Plan {
  const previous = task.previousPlan!;
  const rejectedSteps = new Set(
    task.objections
      .filter((objection) => (objection.kind === 'step-unsupported' || objection.kind === 'relevance') && objection.target)
      .map((objection) => objection.target!.replace(/\..*$/, '')),
  );
  const asked = new Set(previous.steps.flatMap((step) => stemmedWords(step.question).map((word) => word.key)));
  const missing = new Map<string, string>();
  for (const word of stemmedWords(task.goal)) if (!asked.has(word.key) && !missing.has(word.key)) missing.set(word.key, word.surface);
  const added = [...missing.values()];
  return {
    steps: previous.steps.map((step) => {
      if (!rejectedSteps.has(step.id)) return step;
      if (added.length === 0) {
        return { id: step.id, question: step.question, rationale: `kept in round ${task.round}: the checker found no support, and a keyword form of the question would find the same passages` };
      }
      return {
        id: step.id,
        question: `${step.question} (${added.join(', ')})`,
        rationale: `revised in round ${task.round}: the checker found no support, so the question also asks about the goal's terms no step asked about`,
      };
    }),
    notes: `offline engine: plan revised in round ${task.round} after ${task.objections.length} objection(s)`,
  };
}
