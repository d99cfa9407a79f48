/** The errors guards raise, with their codes; exit and HTTP statuses are in src/error-status.ts. */
import { BatonError } from '../errors.js';
import type { GuardEvent } from './types.js';

export type GuardErrorCode =
  /** An input guard blocked a text (the goal, an attachment, a tool result), or the canary showed up in a model's output. */
  | 'GUARD_BLOCKED'
  /** A final answer or an outgoing side-effect payload broke an output-policy rule whose action is `block`. */
  | 'OUTPUT_BLOCKED';

export class GuardError extends BatonError {
  readonly code: GuardErrorCode;
  /** The decision that raised it, recorded on the turn. */
  readonly event: GuardEvent;
  constructor(code: GuardErrorCode, message: string, event: GuardEvent, options?: { hint?: string }) {
    super(message, options);
    this.code = code;
    this.event = event;
  }
}

/**
 * One line naming what a guard found: `heuristic/ignore-previous ("Ignore all previous…")`. With `excerpts: false`
 * the rules alone, for text a later model may read (the matched words would hand it the instruction).
 */
export function describeDetections(event: Pick<GuardEvent, 'detections'>, options: { excerpts?: boolean } = {}): string {
  const excerpts = options.excerpts ?? true;
  return event.detections
    .map((detection) => `${detection.detector}/${detection.rule}${excerpts && detection.excerpt ? ` (${JSON.stringify(detection.excerpt.length > 60 ? `${detection.excerpt.slice(0, 60)}…` : detection.excerpt)})` : ''}`)
    .join(', ');
}
