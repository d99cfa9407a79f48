/**
 * Input guards on what a run is given: its goal and the texts of its attachments (an e-mail, the documents inside it,
 * transcripts). A goal the detectors flag is refused when the goal guard says `block`; an attachment's text is
 * withheld from the run's sources when its guard says `quarantine`. Every decision is recorded on one supervisor
 * turn (`role: guard`), keyed so a resumed run does not record it twice.
 */
import type { RunStore } from '../stores/port.js';
import { describeDetections, GuardError } from './errors.js';
import type { RunGuard } from './run-guard.js';
import type { GuardEvent } from './types.js';

export interface ScreenedInputs {
  texts: Array<[string, string]>;
  events: GuardEvent[];
  blocked?: GuardError;
}

/**
 * Screens the goal (when given) and attachment texts; returns the texts the run may use. The goal is screened on its
 * own first, before any attachment is read or transcribed, so a refused goal sends nothing anywhere.
 */
export async function screenInputs(guard: RunGuard, goal: string | undefined, texts: ReadonlyArray<[string, string]>, signal?: AbortSignal): Promise<ScreenedInputs> {
  const events: GuardEvent[] = [];
  const goalScreen = goal === undefined ? { action: 'allow' as const } : await guard.screen('goal', 'goal', goal, signal);
  if (goalScreen.event) events.push(goalScreen.event);
  if (goalScreen.action === 'block') {
    const event = goalScreen.event!;
    return {
      texts: [],
      events,
      blocked: new GuardError('GUARD_BLOCKED', `the goal was refused: it reads as an attempt to override the system's instructions (${describeDetections(event)})`, event, {
        hint: 'state the task itself; to let such goals through with an audit event instead, set guards.goal: flag in the config',
      }),
    };
  }
  const kept: Array<[string, string]> = [];
  for (const [source, text] of texts) {
    const screened = await guard.screen('attachment', source, text, signal);
    if (screened.event) events.push(screened.event);
    if (screened.action === 'block') {
      return { texts: [], events, blocked: new GuardError('GUARD_BLOCKED', `${source} was refused: it carries instructions to an AI (${describeDetections(screened.event!)})`, screened.event!, { hint: 'set guards.attachments: quarantine to run without such a file instead of failing' }) };
    }
    if (screened.action !== 'quarantine') kept.push([source, text]);
  }
  return { texts: kept, events };
}

/** Records input-guard decisions on a supervisor turn of round 0 (once per run: a resume finds it by its key). */
export async function recordInputGuard(store: RunStore, runId: string, owner: string, events: readonly GuardEvent[], clock: () => Date): Promise<void> {
  if (events.length === 0) return;
  await store.recordTurn(
    {
      runId,
      round: 0,
      from: 'guard',
      to: ['supervisor'],
      role: 'guard',
      kind: 'supervisor',
      model: null,
      startedAt: clock().toISOString(),
      latencyMs: 0,
      messages: [],
      output: { screened: events.map((event) => ({ surface: event.surface, source: event.source, action: event.action })) },
      toolCalls: [],
      usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0, estimated: false },
      costUsd: 0,
      attempts: 0,
      events: [...events],
    },
    { key: { round: 0, stage: 'guard:inputs', attempt: 0 }, stateUpdate: null, owner },
  );
}
