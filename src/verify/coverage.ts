/**
 * Coverage: the goal's key terms are addressed by the plan and the approved claims. A plan that answers half the goal
 * (drops its second question, or narrows "install and configure" to "install") is approved step by step otherwise,
 * since every step it does have is supported. A term counts as covered when any step question or any claim that passed
 * every check (its text or its quotes) mentions it; key terms are the goal's content terms less question framing
 * (relevance.ts), so "Give me a short overview of X" asks about X only. A step the plan asks but no claim answers is not
 * a coverage gap: it is reported as an unsupported step.
 */
import type { Objection } from '../roles/schemas.js';
import type { CoverageConfig } from './config.js';
import { percent, quotedList } from './format.js';
import { keyTermsOf } from './relevance.js';
import { termLookup } from './terms.js';

export interface CoverageJudgement {
  ok: boolean;
  /** Share of the goal's key terms covered; 1 for a goal with none. */
  score: number;
  keyTerms: string[];
  uncovered: string[];
}

/** Judges whether `texts` (step questions, approved claims and their quotes) cover the goal. */
export function judgeCoverage(goal: string, texts: readonly string[], config: CoverageConfig): CoverageJudgement {
  const keyTerms = keyTermsOf(goal);
  const lookup = new Set(texts.flatMap((text) => [...termLookup(text)]));
  const uncovered = keyTerms.filter((entry) => !lookup.has(entry.term)).map((entry) => entry.word);
  const score = keyTerms.length === 0 ? 1 : (keyTerms.length - uncovered.length) / keyTerms.length;
  return { ok: score >= config.minGoalCoverage, score, keyTerms: keyTerms.map((entry) => entry.word), uncovered };
}

/** The objection for a goal the plan and claims leave partly unaddressed. Its target is the goal, so none is set. */
export function coverageObjection(judgement: CoverageJudgement, config: CoverageConfig): Objection {
  return {
    kind: 'coverage',
    message:
      `the plan and the approved claims cover ${percent(judgement.score)} of the goal's key terms (expected at least ${percent(config.minGoalCoverage)}): ` +
      `no step question and no approved claim mentions ${quotedList(judgement.uncovered)}. ` +
      `Expected: a step that asks about them, answered by a supported claim (key terms: ${judgement.keyTerms.join(', ')}).`,
  };
}
