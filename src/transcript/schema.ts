/**
 * The transcript format: one record per run and one per turn. Versioned, and read back through these schemas, so an
 * old or damaged record is reported clearly instead of crashing a reader.
 */
import { z } from 'zod';
import { RunStatus } from '../graph/status.js';

export const TRANSCRIPT_VERSION = 1;

export const UsageRecord = z
  .object({
    inputTokens: z.number().int().nonnegative(),
    outputTokens: z.number().int().nonnegative(),
    totalTokens: z.number().int().nonnegative(),
    estimated: z.boolean(),
  })
  .strict();
export type UsageRecord = z.infer<typeof UsageRecord>;

export const ToolCallRecord = z
  .object({
    name: z.string(),
    arguments: z.unknown(),
    resultSummary: z.string(),
    durationMs: z.number().nonnegative(),
    error: z.string().optional(),
  })
  .strict();
export type ToolCallRecord = z.infer<typeof ToolCallRecord>;

export const MessageRecord = z
  .object({
    role: z.enum(['system', 'user', 'assistant', 'tool']),
    content: z.string(),
  })
  .strict();
export type MessageRecord = z.infer<typeof MessageRecord>;

/** Something that happened inside a turn: a retry, a fallback, a routing decision, a validation failure. */
export const TurnEvent = z
  .object({
    type: z.string(),
    at: z.number().nonnegative(),
  })
  .catchall(z.unknown());
export type TurnEvent = z.infer<typeof TurnEvent>;

export const TurnRecord = z
  .object({
    version: z.literal(TRANSCRIPT_VERSION),
    runId: z.string(),
    seq: z.number().int().positive(),
    round: z.number().int().nonnegative(),
    /** Who spoke. */
    from: z.string(),
    /** Who it spoke to: the next roles the supervisor dispatched to, or `supervisor`. */
    to: z.array(z.string()),
    role: z.string(),
    kind: z.enum(['planner', 'researcher', 'checker', 'generic', 'human', 'action', 'supervisor']),
    /** The model that answered (`provider:model`), or null for the supervisor's own records. */
    model: z.string().nullable(),
    /** Plan step the turn worked on, for researcher turns. */
    stepId: z.string().optional(),
    startedAt: z.string(),
    latencyMs: z.number().nonnegative(),
    messages: z.array(MessageRecord),
    output: z.unknown(),
    toolCalls: z.array(ToolCallRecord),
    usage: UsageRecord,
    costUsd: z.number().nonnegative(),
    /** Model calls made, validation retries included. */
    attempts: z.number().int().nonnegative(),
    events: z.array(TurnEvent),
    error: z.object({ code: z.string(), message: z.string(), hint: z.string().optional() }).strict().optional(),
  })
  .strict();
export type TurnRecord = z.infer<typeof TurnRecord>;

/** A turn as the supervisor hands it to the store; the store assigns `seq` and `version`. */
export type NewTurn = Omit<TurnRecord, 'seq' | 'version'>;

export const Verification = z
  .object({
    verified: z.boolean(),
    /** The last verdict of each gate. */
    verdicts: z.array(z.object({ role: z.string(), decision: z.enum(['approve', 'reject']), objections: z.array(z.string()) }).strict()),
  })
  .strict();

export const RunResult = z
  .object({
    answer: z.string(),
    /** `redacted`: the detectors whose redaction changed the quote (it is then not the source's exact words). */
    citations: z.array(z.object({ marker: z.number().int(), source: z.string(), quote: z.string(), redacted: z.array(z.string()).optional() }).strict()),
    verification: Verification,
  })
  .strict();
export type RunResult = z.infer<typeof RunResult>;

export const RunRecord = z
  .object({
    version: z.literal(TRANSCRIPT_VERSION),
    id: z.string(),
    goal: z.string(),
    status: RunStatus,
    rounds: z.number().int().nonnegative(),
    startedAt: z.string(),
    endedAt: z.string().nullable(),
    durationMs: z.number().nonnegative().nullable(),
    inputTokens: z.number().int().nonnegative(),
    outputTokens: z.number().int().nonnegative(),
    costUsd: z.number().nonnegative(),
    costEstimated: z.boolean(),
    /** Where the models came from: `offline`, `environment` or `config`. */
    engine: z.string(),
    labels: z.record(z.string(), z.unknown()),
    result: RunResult.nullable(),
    error: z.object({ code: z.string(), message: z.string(), hint: z.string().optional() }).strict().nullable(),
    /** The flow the run was started under: a hash of its stages, roles and prompts, and the stage names. */
    flow: z.object({ hash: z.string(), stages: z.array(z.string()), parts: z.record(z.string(), z.string()).optional() }).strict().optional(),
    /** When the run was accepted into the queue (absent for runs started directly). */
    queuedAt: z.string().optional(),
    /** How often the run was resumed after an interruption or a decision. */
    resumes: z.number().int().nonnegative().optional(),
    /** How often its process died (or let it go) before it ended; servers and workers stop resuming it at `runs.maxResumes`. */
    interruptions: z.number().int().nonnegative().optional(),
  })
  .strict();
export type RunRecord = z.infer<typeof RunRecord>;
