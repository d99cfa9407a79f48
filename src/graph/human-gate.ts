/**
 * A human gate: the run stops at this node with LangGraph's `interrupt`, the runtime parks it as `awaiting_human`
 * (releasing its worker), and whenever a person decides, from any process, the run is resumed here with the decision
 * as the interrupt's answer. An approval moves on; a rejection is a verdict with the person's reason as its objection,
 * so the planner sees it the way it sees a checker's.
 */
import { interrupt } from '@langchain/langgraph';
import type { Stage } from '../config/load.js';
import type { Decision } from '../stores/port.js';
import { turnKeyText } from '../stores/port.js';
import { composeDraft } from './compose.js';
import { decided, destinations, replayedTurn, turnKeyOf, type SupervisorDeps, type TurnOutcome } from './node.js';
import type { RunStateUpdate, RunStateValue, Verdict } from './state.js';

/** What the interrupt carries to the runtime, which stores it as the decision request. */
export interface GateQuestion {
  gate: string;
  review: 'plan' | 'draft' | 'call';
  prompt: string;
  subject: unknown;
  round: number;
}

/** The plan, or the draft with its claims, as the person sees it. */
function subjectOf(stage: Stage, state: RunStateValue): { update: RunStateUpdate; subject: unknown } {
  if (stage.human!.review === 'plan') return { update: {}, subject: { plan: state.plan } };
  const findings = state.findings.filter((finding) => finding.round === state.round);
  // What earlier stages produced (a proposer's proposal, an inspector's findings, the records actions read) is shown
  // beside the draft: the person decides on the whole of it.
  const outputs = Object.keys(state.outputs ?? {}).length ? { outputs: state.outputs } : {};
  if (state.draft && state.draft.round === state.round) return { update: {}, subject: { draft: state.draft.text, claims: findings.flatMap((finding) => finding.claims), ...outputs } };
  const composed = composeDraft(state.plan!, findings);
  return {
    update: { draft: { round: state.round, text: composed.text, author: 'supervisor' } },
    subject: { draft: composed.text, claims: findings.flatMap((finding) => finding.claims), ...outputs },
  };
}

export async function superviseHumanGate(stage: Stage, state: RunStateValue, deps: SupervisorDeps): Promise<TurnOutcome> {
  const key = turnKeyOf(stage, state, undefined);
  const replayed = await replayedTurn(stage, state, key, deps);
  if (replayed) return replayed;
  const { update: draftUpdate, subject } = subjectOf(stage, state);
  const question: GateQuestion = { gate: stage.name, review: stage.human!.review, prompt: stage.human!.prompt, subject, round: state.round };
  // The first time through, this throws LangGraph's interrupt and the run parks; on resume it returns the decision.
  const decision = interrupt<GateQuestion, Decision>(question);
  const verdict: Verdict = {
    role: stage.name,
    round: state.round,
    decision: decision.decision,
    objections: decision.decision === 'reject' ? [{ kind: 'human', message: `${decision.by} rejected the ${stage.human!.review}: ${decision.note ?? 'no reason given'}` }] : [],
    ...(decision.note ? { feedback: decision.note } : {}),
  };
  const update: RunStateUpdate = { ...draftUpdate, verdicts: [verdict], turnKeys: [turnKeyText(key)] };
  const outcome = decided(stage, state, update, deps);
  if (outcome.next.type === 'end') update.status = outcome.next.status;
  const to = destinations(outcome.next);
  update.messages = to.map((target) => ({ from: stage.name, to: target, round: state.round, content: `${decision.decision} by ${decision.by}${decision.note ? `: ${decision.note}` : ''}` }));
  const recorded = await deps.store.recordTurn(
    {
      runId: deps.runId,
      round: state.round,
      from: stage.name,
      to,
      role: stage.name,
      kind: 'human',
      model: null,
      startedAt: decision.decidedAt,
      latencyMs: 0,
      messages: [{ role: 'user', content: stage.human!.prompt }],
      output: { decision: decision.decision, by: decision.by, decidedAt: decision.decidedAt, ...(decision.note ? { note: decision.note } : {}), review: stage.human!.review },
      toolCalls: [],
      usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0, estimated: false },
      costUsd: 0,
      attempts: 0,
      events: [],
    },
    { key, stateUpdate: update, owner: deps.owner },
  );
  deps.onEvent?.({ type: 'turn-end', role: stage.name, seq: recorded.turn.seq });
  return decided(stage, state, recorded.existed ? (recorded.stateUpdate as RunStateUpdate) : update, deps);
}
