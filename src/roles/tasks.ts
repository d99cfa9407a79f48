/**
 * The typed task behind every model call. Providers that talk to an LLM send the rendered prompt; the offline engine
 * works from these fields directly, so it never has to parse prompt text.
 */
import type { Passage } from '../knowledge/types.js';
import type { Claim, Draft, Finding, Verdict } from '../graph/state.js';
import type { Objection, Plan, PlanStep } from './schemas.js';
import type { EvidenceReport } from './evidence.js';

export interface PlanTask {
  kind: 'plan';
  role: string;
  goal: string;
  round: number;
  maxSteps: number;
  previousPlan: Plan | null;
  /** The objections of the gate that rejected the previous round. */
  objections: Objection[];
}

export interface ResearchTask {
  kind: 'research';
  role: string;
  goal: string;
  step: PlanStep;
  /** Passages the researcher's search returned for this step, best first. */
  passages: Passage[];
  /**
   * What the checker rejected in this step's claims last round: each quote and why. The researcher does not offer a
   * rejected quote again for the same reason (one weak claim would otherwise reject a right answer round after round).
   */
  rejected?: Array<{ quote: string; reason: string }>;
}

export interface CheckTask {
  kind: 'check';
  role: string;
  goal: string;
  plan: Plan;
  claims: Claim[];
  draft: Draft;
  /** The deterministic evidence check, already run; a model may add judgement but cannot overrule a failure. */
  evidence: EvidenceReport;
  /** Phrases or patterns the role's policy forbids in the answer. */
  forbid: string[];
}

export interface GenericTask {
  kind: 'generic';
  role: string;
  goal: string;
  plan: Plan | null;
  findings: Finding[];
  draft: Draft | null;
  verdicts: Verdict[];
  /** Whether this role's output replaces the draft. */
  writesDraft: boolean;
}

export type RoleTask = PlanTask | ResearchTask | CheckTask | GenericTask;
