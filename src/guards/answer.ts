/**
 * The output policy on a run's final answer: applied once, where the run ends, to what is stored, printed and served.
 * A redaction or an appended disclaimer changes the answer (its citations stay); a `block` withholds it and ends the
 * run `failed` with OUTPUT_BLOCKED, naming the rule; every decision is an event on the closing turn.
 */
import type { RunResult } from '../transcript/schema.js';
import { describeDetections, GuardError } from './errors.js';
import type { OutputPolicy } from './output-policy.js';
import type { GuardEvent } from './types.js';

export interface PolicedAnswer {
  result: RunResult | null;
  event?: GuardEvent;
  blocked?: GuardError;
}

export function policeAnswer(policy: OutputPolicy, result: RunResult | null, at: number): PolicedAnswer {
  if (!result || !policy.appliesTo('answer')) return { result };
  const checked = policy.check(result.answer, 'answer');
  const changed = checked.text !== result.answer;
  if (checked.action === 'allow' && !changed) return { result };
  const event: GuardEvent = { type: 'guard', at, surface: 'answer', action: checked.action === 'allow' ? 'redact' : checked.action, source: 'answer', detections: checked.detections };
  if (checked.action === 'block') {
    return { result: null, event, blocked: new GuardError('OUTPUT_BLOCKED', `the answer was withheld: it breaks the output policy (${describeDetections(event)})`, event, { hint: 'see outputPolicy in the config; `baton audit --run <id>` lists the decision' }) };
  }
  return { result: changed ? { ...result, answer: checked.text } : result, event };
}
