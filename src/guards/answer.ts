/**
 * The output policy on a run's final answer: applied once, where the run ends, to what is stored, printed and served.
 * The answer is checked whole (rules, the disclaimer, the maximum length), each citation's quote on its own (rules and
 * personal data: a quote keeps its source, marked as redacted where the policy changed it). A redaction or an appended
 * disclaimer changes what leaves; a `block` withholds the answer and ends the run `failed` with OUTPUT_BLOCKED, naming
 * the rule; every decision is one event on the closing turn.
 */
import type { RunResult } from '../transcript/schema.js';
import { describeDetections, GuardError } from './errors.js';
import type { OutputPolicy } from './output-policy.js';
import type { Detection, GuardEvent } from './types.js';

export interface PolicedAnswer {
  result: RunResult | null;
  event?: GuardEvent;
  blocked?: GuardError;
}

const STRENGTH = { allow: 0, flag: 1, redact: 2, block: 3 } as const;

export function policeAnswer(policy: OutputPolicy, result: RunResult | null, at: number): PolicedAnswer {
  if (!result || !policy.appliesTo('answer')) return { result };
  const checked = policy.check(result.answer, 'answer');
  let action = checked.action;
  const detections: Detection[] = [...checked.detections];
  let changed = checked.text !== result.answer;
  const citations = result.citations.map((citation) => {
    const quote = policy.check(citation.quote, 'answer', { whole: false });
    detections.push(...quote.detections.map((detection) => ({ ...detection, reason: `citation [${citation.marker}]: ${detection.reason}` })));
    if (STRENGTH[quote.action] > STRENGTH[action]) action = quote.action;
    if (quote.text === citation.quote) return citation;
    changed = true;
    const rules = [...new Set(quote.detections.map((detection) => detection.rule))];
    return { ...citation, quote: quote.text, redacted: [...new Set([...(citation.redacted ?? []), ...rules])] };
  });
  if (action === 'allow' && !changed) return { result };
  const event: GuardEvent = { type: 'guard', at, surface: 'answer', action: action === 'allow' ? 'redact' : action, source: 'answer', detections };
  if (action === 'block') {
    return { result: null, event, blocked: new GuardError('OUTPUT_BLOCKED', `the answer was withheld: it breaks the output policy (${describeDetections(event)})`, event, { hint: 'see outputPolicy in the config; `baton audit --run <id>` lists the decision' }) };
  }
  return { result: changed ? { ...result, answer: checked.text, citations } : result, event };
}
