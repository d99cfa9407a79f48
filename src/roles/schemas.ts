/**
 * The structured outputs of the built-in role kinds. Each is the zod schema a model reply must validate against; a
 * reply that does not is asked again with the validation error (see `structured.ts`).
 */
import { z } from 'zod';

export const PlanStep = z
  .object({
    id: z.string().regex(/^s\d+$/, 'a step id such as s1'),
    question: z.string().min(3),
    rationale: z.string().optional(),
  })
  .strict();
export type PlanStep = z.infer<typeof PlanStep>;

export const Plan = z
  .object({
    steps: z.array(PlanStep).min(1).max(12),
    notes: z.string().optional(),
  })
  .strict()
  .refine((plan) => new Set(plan.steps.map((step) => step.id)).size === plan.steps.length, {
    message: 'step ids must be unique',
    path: ['steps'],
  });
export type Plan = z.infer<typeof Plan>;

/** A plan step as a model sends it: any id or none, since the runtime numbers the steps. */
const PlanStepReply = z
  .object({
    id: z.string().optional(),
    question: z.string().min(3),
    rationale: z.string().optional(),
  })
  .strict();

/**
 * What the planner's model sends, read as a {@link Plan}. Step ids are the runtime's to assign, not the model's:
 * grammar-constrained servers (llama.cpp) do not enforce a `pattern`, and nothing a model sends refers to a step by id
 * (objections and claims name runtime ids the roles were shown), so the steps are numbered s1..sN in the order given,
 * whatever id the model wrote. The runtime also keeps only the first `maxSteps` steps, so no upper bound fails a reply.
 */
export const PlanReply = z
  .object({
    steps: z.array(PlanStepReply).min(1),
    notes: z.string().optional(),
  })
  .strict()
  .transform(
    (reply): Plan => ({
      steps: reply.steps.map((step, index) => ({
        id: `s${index + 1}`,
        question: step.question,
        ...(step.rationale !== undefined ? { rationale: step.rationale } : {}),
      })),
      ...(reply.notes !== undefined ? { notes: reply.notes } : {}),
    }),
  );
export type PlanReply = z.input<typeof PlanReply>;

export const Citation = z
  .object({
    /** A file path, knowledge-base chunk id or URL the run read. */
    source: z.string().min(1),
    /** The exact words of the source that back the claim. */
    quote: z.string().min(3),
    chunkId: z.string().optional(),
  })
  .strict();
export type Citation = z.infer<typeof Citation>;

export const ClaimDraft = z
  .object({
    text: z.string().min(3),
    citations: z.array(Citation).min(1),
  })
  .strict();
export type ClaimDraft = z.infer<typeof ClaimDraft>;

/** What a researcher returns for one plan step. */
export const ResearchOutput = z
  .object({
    claims: z.array(ClaimDraft).max(20),
    /** What the researcher could not find. */
    gaps: z.array(z.string()).default([]),
  })
  .strict();
export type ResearchOutput = z.infer<typeof ResearchOutput>;

export const ObjectionKind = z.enum([
  'unsupported-claim',
  'quote-not-in-source',
  'source-not-read',
  'step-unsupported',
  'policy',
  'judgement',
  /** What the claim asserts (its content words, numbers, names, negations) is not found in its own quotes. */
  'support',
  /** The claim and its quotes do not address the question of its plan step. */
  'relevance',
  /** Key terms of the goal are addressed by no step of the plan or no approved claim. */
  'coverage',
  /** Two claims say the same thing. */
  'duplication',
  /** A person rejected the plan or the draft at a human gate. */
  'human',
]);
export type ObjectionKind = z.infer<typeof ObjectionKind>;

export const Objection = z
  .object({
    kind: ObjectionKind,
    /** The claim id (`s1.c2`) or step id (`s1`) the objection is about, when it is about one. */
    target: z.string().optional(),
    message: z.string().min(1),
  })
  .strict();
export type Objection = z.infer<typeof Objection>;

/** A checker model's judgement of one claim: is it supported by its own quotes, and does it answer its step? */
export const ClaimJudgementOutput = z
  .object({
    /** The claim id, e.g. `s1.c2`. */
    id: z.string().min(1),
    supported: z.boolean(),
    relevant: z.boolean(),
    reason: z.string().optional(),
  })
  .strict();
export type ClaimJudgementOutput = z.infer<typeof ClaimJudgementOutput>;

export const VerdictOutput = z
  .object({
    decision: z.enum(['approve', 'reject']),
    objections: z.array(Objection).default([]),
    /** One judgement per claim. A claim judged unsupported or irrelevant is an objection, whatever the decision. */
    claims: z.array(ClaimJudgementOutput).default([]),
    feedback: z.string().optional(),
  })
  .strict();
export type VerdictOutput = z.infer<typeof VerdictOutput>;

/** The default output of a config-added (generic) role: a message, and a revised draft if the role writes it. */
export const GenericOutput = z
  .object({
    message: z.string(),
    draft: z.string().optional(),
  })
  .strict();
export type GenericOutput = z.infer<typeof GenericOutput>;
