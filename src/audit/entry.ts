/**
 * The audit entry: one guard decision, one person's decision on a connector call, or one decision at a human gate,
 * flattened out of the turn that carries it into a record a person reads in a table and a script reads as JSON. The
 * shapes the entries are read from (guard and approval events, a human turn's output) are schemas here too: old or
 * damaged records are `safeParse`d and skipped, never trusted.
 */
import { z } from 'zod';
import type { GuardAction, GuardSurface } from '../guards/types.js';

/**
 * Every guard surface, with what it means. A record keyed by {@link GuardSurface}, so a surface added to the guards'
 * vocabulary fails to compile here until the audit knows it too.
 */
const SURFACE_MEANINGS: Readonly<Record<GuardSurface, string>> = {
  goal: "the run's goal",
  attachment: 'a file given with the run',
  tool: "a tool's result",
  knowledge: 'knowledge-base passages',
  'model-output': 'what a model wrote',
  answer: 'a final answer',
  'side-effect': 'an outgoing side-effect payload',
};
const GUARD_ACTION_MEANINGS: Readonly<Record<GuardAction, string>> = {
  allow: 'let through',
  flag: 'let through and flagged',
  quarantine: 'kept apart from the model',
  redact: 'passed on with parts removed',
  block: 'stopped',
};

export const GUARD_SURFACES = Object.keys(SURFACE_MEANINGS) as [GuardSurface, ...GuardSurface[]];
export const GUARD_ACTIONS = Object.keys(GUARD_ACTION_MEANINGS) as [GuardAction, ...GuardAction[]];

/** What an audit entry records: a guard's decision, a person's approval of a call, or a decision at a human gate. */
export const AuditKind = z.enum(['guard', 'approval', 'gate']);
export type AuditKind = z.infer<typeof AuditKind>;

/** What was done: a guard's action, or a person's decision. */
export const AuditAction = z.enum([...GUARD_ACTIONS, 'approve', 'reject']);
export type AuditAction = z.infer<typeof AuditAction>;

export const AuditSurface = z.enum(GUARD_SURFACES);

export const AuditEntry = z
  .object({
    runId: z.string(),
    /** The sequence number of the turn that carries the decision. */
    seq: z.number().int().positive(),
    round: z.number().int().nonnegative(),
    /** The turn's role (a gate's stage name for a gate decision). */
    role: z.string(),
    /** When it was decided (ISO time). */
    at: z.string(),
    kind: AuditKind,
    surface: AuditSurface.optional(),
    /** A guard's action, or the person's decision (the same as `decision`). */
    action: AuditAction,
    /** Which text a guard judged: a source id, a tool name, or `goal`. */
    source: z.string().optional(),
    detectors: z.array(z.string()).optional(),
    rules: z.array(z.string()).optional(),
    /** A guard's detections in words, or why a call needed approval. */
    reason: z.string().optional(),
    decision: z.enum(['approve', 'reject']).optional(),
    by: z.string().optional(),
    note: z.string().optional(),
    /** The connector call decided on (`connector.operation`). */
    operation: z.string().optional(),
    /** An approval's question: the call itself, or whether a call whose outcome is unknown took effect. */
    question: z.enum(['call', 'outcome']).optional(),
    /** What a gate reviewed: the plan, the draft, or a call. */
    review: z.enum(['plan', 'draft', 'call']).optional(),
  })
  .strict();
export type AuditEntry = z.infer<typeof AuditEntry>;

/** The largest epoch-ms value a Date holds: a larger `at` would make `toISOString` throw. */
const MAX_TIME_MS = 8.64e15;
const EventTime = z.number().nonnegative().max(MAX_TIME_MS);
/** Text as stored; bounded so a damaged record cannot flood a table. */
const Text = z.string().max(10_000);

/** A guard event as stored on a turn (`GuardEvent` in src/guards/types.ts), read leniently about extra fields. */
export const StoredGuardEvent = z.object({
  type: z.literal('guard'),
  at: EventTime,
  surface: AuditSurface,
  action: z.enum(GUARD_ACTIONS),
  source: Text,
  detections: z.array(z.object({ detector: Text, rule: Text, score: z.number().optional(), reason: Text, excerpt: Text.optional() })),
});
export type StoredGuardEvent = z.infer<typeof StoredGuardEvent>;

/** An approval event as stored on a turn (`ApprovalEvent` in src/guards/types.ts). */
export const StoredApprovalEvent = z.object({
  type: z.literal('approval'),
  at: EventTime,
  operation: Text,
  question: z.enum(['call', 'outcome']),
  decision: z.enum(['approve', 'reject']),
  by: Text,
  note: Text.optional(),
  reason: Text,
});
export type StoredApprovalEvent = z.infer<typeof StoredApprovalEvent>;

/** A human gate turn's output (see src/graph/human-gate.ts). */
export const StoredGateOutput = z.object({
  decision: z.enum(['approve', 'reject']),
  by: Text,
  decidedAt: z.string().refine((text) => Number.isFinite(Date.parse(text)), 'not a time'),
  note: Text.optional(),
  review: z.enum(['plan', 'draft', 'call']),
});
export type StoredGateOutput = z.infer<typeof StoredGateOutput>;
