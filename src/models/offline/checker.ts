/**
 * Offline checker strategy: the deterministic evidence and policy checks decide. It approves only when every claim
 * cites a source the run read whose text contains the quote, every plan step is supported, and no policy is broken.
 */
import type { VerdictOutput } from '../../roles/schemas.js';
import type { CheckTask } from '../../roles/tasks.js';
import { policyObjections } from '../../roles/policy.js';

export function offlineCheck(task: CheckTask): VerdictOutput {
  const objections = [...task.evidence.objections, ...policyObjections(task.draft.text, task.forbid)];
  if (objections.length === 0) {
    return {
      decision: 'approve',
      objections: [],
      feedback: `all ${task.claims.length} claim(s) quote their sources and all ${task.plan.steps.length} step(s) are supported`,
    };
  }
  return { decision: 'reject', objections, feedback: `${objections.length} problem(s) must be fixed before approval` };
}
