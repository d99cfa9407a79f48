/**
 * The output policy on outgoing side effects: every string of a side-effect call's exact request (a ticket's body, a
 * Slack message, SQL parameters) is checked before it is sent, and before its idempotency key is derived, so the key
 * is that of what is sent. A `redact` rule changes the request; a `block` rule stops the call (OUTPUT_BLOCKED, the
 * role is told why, nothing is sent); each decision is an event on the calling turn.
 */
import type { PreparedCall } from '../connectors/types.js';
import type { TurnEvent } from '../transcript/schema.js';
import { describeDetections, GuardError } from './errors.js';
import type { OutputPolicy } from './output-policy.js';
import type { GuardEvent } from './types.js';

export function policeCall(policy: OutputPolicy, onEvent: (event: TurnEvent) => void, clock: () => Date): ((call: PreparedCall) => PreparedCall) | undefined {
  if (!policy.appliesTo('side-effect')) return undefined;
  return (call) => {
    // The payload, not the addressing: an HTTP request's method, URL and headers are the connector's, not the model's
    // words (its query and body are checked); rewriting them would send the call elsewhere.
    const { method, url, headers, ...payload } = call.request;
    const checked = policy.checkPayload(payload, 'side-effect');
    if (checked.action === 'allow') return call;
    const event: GuardEvent = { type: 'guard', at: clock().getTime(), surface: 'side-effect', action: checked.action, source: call.operation, detections: checked.detections };
    onEvent(event);
    if (checked.action === 'block') {
      throw new GuardError('OUTPUT_BLOCKED', `${call.target} was not sent: its payload breaks the output policy (${describeDetections(event)})`, event, { hint: 'change the payload so it passes outputPolicy, or change the rule in the config' });
    }
    const addressing = { ...(method !== undefined ? { method } : {}), ...(url !== undefined ? { url } : {}), ...(headers !== undefined ? { headers } : {}) };
    return checked.action === 'redact' ? { ...call, request: { ...addressing, ...(checked.value as Record<string, unknown>) } } : call;
  };
}
