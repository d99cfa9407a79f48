/**
 * Offline checker strategy: the deterministic checks decide. It approves only when every claim quotes a source the
 * run read, is supported by its quotes and relevant to its step, every plan step has such a claim, the plan covers the
 * goal, and no policy is broken. Its per-claim judgements are those of the checks, so they never disagree with them.
 */
import type { ClaimJudgementOutput, VerdictOutput } from '../../roles/schemas.js';
import type { CheckTask } from '../../roles/tasks.js';
import { policyObjections } from '../../roles/policy.js';

export function offlineCheck(task: CheckTask): VerdictOutput {
  const objections = [...task.evidence.objections, ...policyObjections(task.draft.text, task.forbid)];
  const judged = new Map(task.evidence.judgements.map((judgement) => [judgement.claimId, judgement]));
  const quoted = new Set(task.evidence.supportedClaims);
  const claims: ClaimJudgementOutput[] = task.claims.map((claim) => {
    const judgement = judged.get(claim.id);
    const supported = quoted.has(claim.id) && (judgement?.support.ok ?? false);
    const relevant = judgement?.relevance.ok ?? false;
    return { id: claim.id, supported, relevant };
  });
  if (objections.length === 0) {
    return {
      decision: 'approve',
      objections: [],
      claims,
      feedback: `all ${task.claims.length} claim(s) quote their sources, are supported by them and answer their step; all ${task.plan.steps.length} step(s) are answered`,
    };
  }
  return { decision: 'reject', objections, claims, feedback: `${objections.length} problem(s) must be fixed before approval` };
}
