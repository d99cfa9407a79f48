/**
 * The run's graph state: typed fields with explicit reducers. Appending fields say so; single-value fields are
 * written by one stage only, so LangGraph refuses two writes to them in one step.
 */
import { ReducedValue, StateSchema } from '@langchain/langgraph';
import { z } from 'zod';
import { Citation, Objection, Plan } from '../roles/schemas.js';
import { RunStatus } from './status.js';

// Defined apart so that readers of records do not load LangGraph; re-exported for the existing imports.
export { RunStatus } from './status.js';

/** Which status wins when two stages report one in the same step: the more final. */
const STATUS_SEVERITY: Record<RunStatus, number> = {
  queued: 0,
  interrupted: 0,
  awaiting_human: 0,
  running: 0,
  approved: 1,
  unverified: 2,
  budget_exceeded: 3,
  failed: 4,
  cancelled: 5,
};

/** Reducer for {@link RunStatus}: a status only moves towards the more final one. */
export function reduceStatus(current: RunStatus, next: RunStatus): RunStatus {
  return STATUS_SEVERITY[next] >= STATUS_SEVERITY[current] ? next : current;
}

/**
 * A citation as the run keeps it: what the role quoted, and, when redaction changed the quote before it entered the
 * state, the detectors that did (so the answer says the quote is partly redacted instead of changing it silently).
 */
export const RecordedCitation = Citation.extend({ redacted: z.array(z.string()).optional() }).strict();
export type RecordedCitation = z.infer<typeof RecordedCitation>;

export const Claim = z
  .object({
    /** `<stepId>.c<n>`, unique within a round. */
    id: z.string(),
    text: z.string(),
    citations: z.array(RecordedCitation),
  })
  .strict();
export type Claim = z.infer<typeof Claim>;

export const Finding = z
  .object({
    stepId: z.string(),
    round: z.number().int(),
    role: z.string(),
    claims: z.array(Claim),
    gaps: z.array(z.string()),
  })
  .strict();
export type Finding = z.infer<typeof Finding>;

export const Verdict = z
  .object({
    role: z.string(),
    round: z.number().int(),
    decision: z.enum(['approve', 'reject']),
    objections: z.array(Objection),
    feedback: z.string().optional(),
  })
  .strict();
export type Verdict = z.infer<typeof Verdict>;

export const RoleMessage = z
  .object({
    from: z.string(),
    to: z.string(),
    round: z.number().int(),
    content: z.string(),
  })
  .strict();
export type RoleMessage = z.infer<typeof RoleMessage>;

export const Draft = z
  .object({
    round: z.number().int(),
    text: z.string(),
    /** The role that last wrote the text: `supervisor` when composed from findings. */
    author: z.string(),
  })
  .strict();
export type Draft = z.infer<typeof Draft>;

export const UsageEntry = z
  .object({
    role: z.string(),
    model: z.string(),
    calls: z.number().int().nonnegative(),
    inputTokens: z.number().int().nonnegative(),
    outputTokens: z.number().int().nonnegative(),
    costUsd: z.number().nonnegative(),
    estimated: z.boolean(),
  })
  .strict();
export type UsageEntry = z.infer<typeof UsageEntry>;

/** Reducer for usage: entries are summed per role and model. */
export function reduceUsage(current: UsageEntry[], next: UsageEntry[]): UsageEntry[] {
  const merged = current.map((entry) => ({ ...entry }));
  for (const entry of next) {
    const existing = merged.find((candidate) => candidate.role === entry.role && candidate.model === entry.model);
    if (existing) {
      existing.calls += entry.calls;
      existing.inputTokens += entry.inputTokens;
      existing.outputTokens += entry.outputTokens;
      existing.costUsd += entry.costUsd;
      existing.estimated ||= entry.estimated;
    } else {
      merged.push({ ...entry });
    }
  }
  return merged;
}

export const RunErrorInfo = z.object({ code: z.string(), message: z.string(), hint: z.string().optional(), role: z.string().optional() }).strict();
export type RunErrorInfo = z.infer<typeof RunErrorInfo>;

function appendReducer<T extends z.ZodType>(item: T) {
  return new ReducedValue(z.array(item).default(() => []), {
    inputSchema: z.array(item),
    reducer: (current: z.infer<T>[], next: z.infer<T>[]) => current.concat(next),
  });
}

/** The LangGraph state schema of a run. */
export const RunState = new StateSchema({
  runId: z.string(),
  goal: z.string(),
  /** 1 after the first plan; each revision of the plan starts the next round. */
  round: z.number().int().default(0),
  plan: Plan.nullable().default(null),
  findings: appendReducer(Finding),
  /** Every source (path, chunk source or URL) a role read during the run, with repeats removed. */
  sourcesRead: new ReducedValue(z.array(z.string()).default(() => []), {
    inputSchema: z.array(z.string()),
    reducer: (current: string[], next: string[]) => [...new Set([...current, ...next])],
  }),
  /**
   * Text of sources the evidence source cannot read again, by source id: fetched pages by URL, connector results by
   * `connector.operation` and their records by `connector.operation#id`. A run resumed in another process checks
   * quotes against the same text (redacted, like everything in the state).
   */
  fetched: new ReducedValue(z.record(z.string(), z.string()).default(() => ({})), {
    inputSchema: z.record(z.string(), z.string()),
    reducer: (current: Record<string, string>, next: Record<string, string>) => ({ ...current, ...next }),
  }),
  /**
   * What stages produced, by stage name: a generic role's structured output, an action's mapped result (or its
   * error). Action inputs are mapped from these; the latest write of a stage wins.
   */
  outputs: new ReducedValue(z.record(z.string(), z.unknown()).default(() => ({})), {
    inputSchema: z.record(z.string(), z.unknown()),
    reducer: (current: Record<string, unknown>, next: Record<string, unknown>) => ({ ...current, ...next }),
  }),
  /**
   * Keys of the turns recorded so far (`round/stage/step/attempt`, see src/stores/port.ts): a node replayed after a
   * resume finds its turn under the same key instead of running the role again.
   */
  turnKeys: appendReducer(z.string()),
  /**
   * The run has met personal or confidential data (a detector fired on a call's prompt or on a record it read): every
   * later call is routed as confidential, because what roles pass on (claims, objections, outputs) derives from it
   * even where no detector can see it any more (a name without its address).
   */
  tainted: new ReducedValue(z.boolean().default(false), { inputSchema: z.boolean(), reducer: (current: boolean, next: boolean) => current || next }),
  /**
   * Sources a guard flagged and let through (action `flag`): text that reads like instructions reached a model, so
   * side effects with `approval: untrusted` ask a person from then on, even where the source was the knowledge base.
   */
  flagged: new ReducedValue(z.array(z.string()).default(() => []), {
    inputSchema: z.array(z.string()),
    reducer: (current: string[], next: string[]) => [...new Set([...current, ...next])],
  }),
  /**
   * The random seed of the run's guard keys (spotlighting boundary, canary), set when the run starts; kept in the
   * state so a resumed run, in whichever process, marks text and watches for the canary with the same keys.
   */
  guardSeed: new ReducedValue(z.string().default(''), { inputSchema: z.string(), reducer: (current: string, next: string) => current || next }),
  draft: Draft.nullable().default(null),
  verdicts: appendReducer(Verdict),
  messages: appendReducer(RoleMessage),
  usage: new ReducedValue(z.array(UsageEntry).default(() => []), {
    inputSchema: z.array(UsageEntry),
    reducer: reduceUsage,
  }),
  status: new ReducedValue(RunStatus.default('running'), { inputSchema: RunStatus, reducer: reduceStatus }),
  /** The first error that ended the run; later ones in the same step are kept in the transcript only. */
  error: new ReducedValue(RunErrorInfo.nullable().default(null), {
    inputSchema: RunErrorInfo.nullable(),
    reducer: (current: RunErrorInfo | null, next: RunErrorInfo | null) => current ?? next,
  }),
});

export type RunStateValue = typeof RunState.State;
export type RunStateUpdate = typeof RunState.Update;

/** Findings of one round. */
export function findingsOfRound(state: Pick<RunStateValue, 'findings'>, round: number): Finding[] {
  return state.findings.filter((finding) => finding.round === round);
}

/** Verdicts of one round. */
export function verdictsOfRound(state: Pick<RunStateValue, 'verdicts'>, round: number): Verdict[] {
  return state.verdicts.filter((verdict) => verdict.round === round);
}
