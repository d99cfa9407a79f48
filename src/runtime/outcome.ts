/**
 * How a run ends, decided in one place: the graph's final state, why the run's signal fired (if it did) and any
 * failure outside the roles give the end status; the state gives the answer, its citations and the verification.
 * An answer the checker did not approve is never reported as verified.
 */
import type { Stage } from '../config/load.js';
import { composeDraft } from '../graph/compose.js';
import { findingsOfRound, type RunStateValue, type RunStatus } from '../graph/state.js';
import type { RunResult } from '../transcript/schema.js';

/** Why a run's signal fired: a person cancelled it, its deadline passed, or another process took it. */
export type AbortReason = 'cancelled' | 'deadline' | 'lease-lost';

export interface FailureInfo {
  code: string;
  message: string;
  hint?: string;
}

/** The end status of a run whose graph returned `state` (or threw `failure`). */
export function endStatus(state: RunStateValue | undefined, abortReason: AbortReason | undefined, failure: FailureInfo | null): RunStatus {
  if (abortReason === 'cancelled') return 'cancelled';
  if (failure) return abortReason === 'deadline' || failure.code === 'BUDGET_EXCEEDED' ? 'budget_exceeded' : 'failed';
  let status: RunStatus = state?.status ?? 'failed';
  // The deadline may be noticed first by the call it cut short (a BUDGET_EXCEEDED error) or by the run's own timer.
  if (abortReason === 'deadline' && status !== 'approved') status = 'budget_exceeded';
  if (status === 'running') status = 'failed';
  return status;
}

/**
 * The round the state's plan was made in: the current one, or the one before when the current round's planner failed
 * (the round was started, but the plan, findings and draft are still the previous round's).
 */
function planRound(state: RunStateValue, stages: readonly Stage[]): number {
  const plannerFailed = state.error?.role !== undefined && stages.some((stage) => stage.kind === 'planner' && stage.name === state.error?.role);
  return plannerFailed ? Math.max(0, state.round - 1) : state.round;
}

/** The answer, its citations and the verification, from the final state. */
export function buildResult(state: RunStateValue, status: RunStatus, stages: readonly Stage[]): RunResult | null {
  if (!state.plan) return null;
  const round = planRound(state, stages);
  const findings = findingsOfRound(state, round);
  const composed = composeDraft(state.plan, findings);
  const answer = state.draft && state.draft.round === round ? state.draft.text : composed.text;
  const lastVerdicts = new Map<string, RunStateValue['verdicts'][number]>();
  for (const verdict of state.verdicts) lastVerdicts.set(verdict.role, verdict);
  return {
    answer,
    citations: composed.citations,
    verification: {
      verified: status === 'approved',
      verdicts: [...lastVerdicts.values()].map((verdict) => ({ role: verdict.role, decision: verdict.decision, objections: verdict.objections.map((objection) => objection.message) })),
    },
  };
}
