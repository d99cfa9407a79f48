/**
 * Offline planner strategy: splits the goal into research questions at its sentence and clause boundaries. On a
 * revision it keeps the steps the checker accepted and broadens the ones it rejected into keyword questions.
 *
 * Whatever the goal (one letter, an acronym, punctuation, emoji, any script or line separator), every plan it returns
 * validates against the planner's own schema: the offline engine must never be the reason a run fails.
 */
import { contentTerms } from '../../knowledge/text.js';
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

const QUESTION_WORDS = 'what|how|why|when|where|which|who|whom|whose|does|do|did|is|are|can|could|should|will|would|list|describe|explain|compare';

/** The research questions in a goal, in order. */
export function splitGoal(goal: string): string[] {
  const clauses: string[] = [];
  for (const line of goal.split(LINE_BREAKS)) {
    for (const sentence of line.split(/(?<=[?!.;])\s+/)) {
      const parts = sentence.split(new RegExp(`\\s*(?:,\\s*(?:and\\s+)?|\\s+and\\s+|\\s+also\\s+)(?=(?:${QUESTION_WORDS})\\b)`, 'i'));
      for (const part of parts) {
        const cleaned = part.replace(/^[\s,;:-]+|[\s,;:]+$/g, '').trim();
        if (contentTerms(cleaned).length > 0) clauses.push(cleaned);
      }
    }
  }
  return mergeShortClauses(clauses).map(asQuestion);
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

function asQuestion(clause: string): string {
  const capitalised = clause.charAt(0).toUpperCase() + clause.slice(1);
  if (/[?!.]$/.test(capitalised)) return capitalised.replace(/[.!]$/, '?').replace(/\?$/, '?');
  return new RegExp(`^(?:${QUESTION_WORDS})\\b`, 'i').test(clause) ? `${capitalised}?` : capitalised;
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
    notes: 'offline engine: the goal split at its sentence and clause boundaries',
  };
}

function revisePlan(task: PlanTask): Plan {
  const previous = task.previousPlan!;
  const rejectedSteps = new Set(
    task.objections.filter((objection) => objection.kind === 'step-unsupported' && objection.target).map((objection) => objection.target!),
  );
  return {
    steps: previous.steps.map((step) => {
      if (!rejectedSteps.has(step.id)) return step;
      const broadened = [...new Set(contentTerms(step.question))].join(' ');
      // A question of one short keyword ("What is Go?" -> "go") cannot be broadened without breaking the schema.
      if (!longEnough(broadened)) {
        return { id: step.id, question: step.question, rationale: `kept in round ${task.round}: the checker found no support, and the question has no broader form` };
      }
      return {
        id: step.id,
        question: broadened,
        rationale: `revised in round ${task.round}: the checker found no support, so the question is broadened to its keywords`,
      };
    }),
    notes: `offline engine: revision after ${task.objections.length} objection(s)`,
  };
}
