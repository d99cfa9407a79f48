/**
 * Offline planner strategy: splits the goal into research questions at its sentence and clause boundaries. On a
 * revision it keeps the steps the checker accepted and broadens the ones it rejected into keyword questions.
 */
import { contentTerms } from '../../knowledge/text.js';
import type { PlanTask } from '../../roles/tasks.js';
import type { Plan } from '../../roles/schemas.js';

const QUESTION_WORDS = 'what|how|why|when|where|which|who|whom|whose|does|do|did|is|are|can|could|should|will|would|list|describe|explain|compare';

/** The research questions in a goal, in order. */
export function splitGoal(goal: string): string[] {
  const clauses: string[] = [];
  for (const sentence of goal.split(/(?<=[?!.;])\s+|\n+/)) {
    const parts = sentence.split(new RegExp(`\\s*(?:,\\s*(?:and\\s+)?|\\s+and\\s+|\\s+also\\s+)(?=(?:${QUESTION_WORDS})\\b)`, 'i'));
    for (const part of parts) {
      const cleaned = part.replace(/^[\s,;:-]+|[\s,;:]+$/g, '').trim();
      if (contentTerms(cleaned).length > 0) clauses.push(cleaned);
    }
  }
  return clauses.map(asQuestion);
}

function asQuestion(clause: string): string {
  const capitalised = clause.charAt(0).toUpperCase() + clause.slice(1);
  if (/[?!.]$/.test(capitalised)) return capitalised.replace(/[.!]$/, '?').replace(/\?$/, '?');
  return new RegExp(`^(?:${QUESTION_WORDS})\\b`, 'i').test(clause) ? `${capitalised}?` : capitalised;
}

export function offlinePlan(task: PlanTask): Plan {
  if (task.previousPlan && task.objections.length > 0) return revisePlan(task);
  const questions = splitGoal(task.goal);
  const selected = (questions.length > 0 ? questions : [task.goal.trim()]).slice(0, task.maxSteps);
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
      const keywords = [...new Set(contentTerms(step.question))];
      return {
        id: step.id,
        question: keywords.length > 0 ? keywords.join(' ') : step.question,
        rationale: `revised in round ${task.round}: the checker found no support, so the question is broadened to its keywords`,
      };
    }),
    notes: `offline engine: revision after ${task.objections.length} objection(s)`,
  };
}
