/**
 * What a checker turn records. The run acts on the effective verdict: the model's decision, overruled to `reject` when
 * the deterministic evidence, citation-marker or policy checks object. A transcript that recorded only the model's
 * reply would show "approve" for a turn that rejected the draft, so the turn keeps all three: the effective verdict at
 * the top (`decision`, `objections`: what every reader of `output.decision` gets), what the model said, and what the
 * deterministic checks found.
 */
import { z } from 'zod';
import { ClaimJudgementOutput, Objection, type VerdictOutput } from './schemas.js';

const Decision = z.enum(['approve', 'reject']);

/** The recorded output of a checker turn. */
export const CheckerTurnOutput = z
  .object({
    /** The effective decision: what the run acted on. */
    decision: Decision,
    /** The effective objections: the deterministic checks' and the model's, empty on approval. */
    objections: z.array(Objection),
    /** The model's feedback, when it gave any. */
    feedback: z.string().optional(),
    /** The model's own verdict, before the deterministic checks. */
    model: z.object({ decision: Decision, objections: z.array(Objection), claims: z.array(ClaimJudgementOutput).optional() }).strict(),
    /** The deterministic evidence, citation-marker and policy checks, which no model can overrule. */
    evidence: z.object({ passed: z.boolean(), objections: z.array(Objection) }).strict(),
  })
  .strict();
export type CheckerTurnOutput = z.infer<typeof CheckerTurnOutput>;

/** Builds a checker turn's output from the model's reply, the enforced objections and the effective verdict. */
export function checkerTurnOutput(parts: {
  model: VerdictOutput;
  enforced: readonly Objection[];
  effective: { decision: 'approve' | 'reject'; objections: readonly Objection[] };
}): CheckerTurnOutput {
  return {
    decision: parts.effective.decision,
    objections: [...parts.effective.objections],
    ...(parts.model.feedback ? { feedback: parts.model.feedback } : {}),
    model: { decision: parts.model.decision, objections: [...parts.model.objections], ...(parts.model.claims.length ? { claims: [...parts.model.claims] } : {}) },
    evidence: { passed: parts.enforced.length === 0, objections: [...parts.enforced] },
  };
}

/**
 * Reads a recorded checker output for display; undefined for anything else (a turn recorded before the effective
 * verdict was, a custom role's output), which callers show as they always did.
 */
export function readCheckerTurnOutput(output: unknown): CheckerTurnOutput | undefined {
  const parsed = CheckerTurnOutput.safeParse(output);
  return parsed.success ? parsed.data : undefined;
}

/** Whether the deterministic checks overruled a model that approved. */
export function overruledApproval(output: CheckerTurnOutput): boolean {
  return output.model.decision === 'approve' && output.decision === 'reject';
}
