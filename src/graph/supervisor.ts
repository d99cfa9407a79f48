/**
 * The supervisor's decisions, as pure functions of the flow and the state: which node runs next, and the end status a
 * turn implies. Small composable stop conditions decide when a run is over.
 */
import type { Stage } from '../config/load.js';
import type { Limits } from '../config/schema.js';
import type { PlanStep } from '../roles/schemas.js';
import { verdictsOfRound, type RunStateValue, type RunStatus } from './state.js';

/** Where the supervisor sends the run next. */
export type NextStep =
  | { type: 'stage'; stage: Stage }
  | { type: 'fan-out'; stage: Stage; steps: PlanStep[] }
  /** The members of a parallel group, run at once; the flow goes on after the group when all are done. */
  | { type: 'parallel'; stages: Stage[] }
  | { type: 'end'; status: RunStatus };

/** A stop condition: returns the end status if the run must stop now. */
export type StopCondition = (state: RunStateValue) => RunStatus | undefined;

/** Stops when a stage has already set a final status (failed, cancelled, budget exceeded, unverified). */
export const finalStatus = (): StopCondition => (state) => (state.status !== 'running' && state.status !== 'approved' ? state.status : undefined);

/** Stops when tokens or cost pass the limits. */
export const budgetExceeded =
  (limits: Pick<Limits, 'maxTokens' | 'maxCostUsd'>): StopCondition =>
  (state) => {
    const tokens = state.usage.reduce((sum, entry) => sum + entry.inputTokens + entry.outputTokens, 0);
    const cost = state.usage.reduce((sum, entry) => sum + entry.costUsd, 0);
    if (limits.maxTokens !== undefined && tokens > limits.maxTokens) return 'budget_exceeded';
    if (limits.maxCostUsd !== undefined && cost > limits.maxCostUsd) return 'budget_exceeded';
    return undefined;
  };

/** Stops as `unverified` when a gate (a checker or a person) rejected in the last allowed round. */
export const maxRounds =
  (limit: number): StopCondition =>
  (state) =>
    state.round >= limit && verdictsOfRound(state, state.round).some((verdict) => verdict.decision === 'reject') ? 'unverified' : undefined;

/** The first condition that fires. */
export function firstStop(conditions: readonly StopCondition[], state: RunStateValue): RunStatus | undefined {
  for (const condition of conditions) {
    const status = condition(state);
    if (status) return status;
  }
  return undefined;
}

/** Entering a stage: a researcher stage fans out one task per plan step; a parallel group starts all its members. */
function enter(stages: readonly Stage[], stage: Stage, state: RunStateValue): NextStep {
  if (stage.kind === 'researcher') {
    const steps = state.plan?.steps ?? [];
    return steps.length ? { type: 'fan-out', stage, steps } : { type: 'end', status: 'failed' };
  }
  if (stage.group) return { type: 'parallel', stages: stages.filter((candidate) => candidate.group?.id === stage.group!.id) };
  return { type: 'stage', stage };
}

/** The last stage of `stage`'s parallel group (or `stage` itself): what the flow goes on after. */
function lastOfGroup(stages: readonly Stage[], stage: Stage): Stage {
  if (!stage.group) return stage;
  return stages.filter((candidate) => candidate.group?.id === stage.group!.id).at(-1)!;
}

/**
 * The next step after `current` finished (or at the start, when `current` is undefined). Gates decide the loop: an
 * approval moves on (or ends `approved` after the last stage), a rejection goes back to the gate's `onReject` stage.
 */
export function nextStep(stages: readonly Stage[], current: Stage | undefined, state: RunStateValue, stops: readonly StopCondition[]): NextStep {
  const stop = firstStop(stops, state);
  if (stop) return { type: 'end', status: stop };
  if (!current) return enter(stages, stages[0]!, state);
  if (current.kind === 'checker' || current.kind === 'human') {
    const verdict = verdictsOfRound(state, state.round).find((candidate) => candidate.role === current.name);
    if (verdict?.decision === 'reject') return enter(stages, stages[current.onReject ?? 0]!, state);
  }
  const following = stages[lastOfGroup(stages, current).index + 1];
  if (!following) {
    const gates = stages.filter((stage) => stage.kind === 'checker');
    const approvedByAll = gates.every((gate) => verdictsOfRound(state, state.round).some((verdict) => verdict.role === gate.name && verdict.decision === 'approve'));
    return { type: 'end', status: approvedByAll ? 'approved' : 'unverified' };
  }
  return enter(stages, following, state);
}
